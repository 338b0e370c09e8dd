"""The public API contract, served by the gateway itself (docs/architecture/api.md):

    GET /api/openapi.json     the merged OpenAPI 3.1 document of every service
    GET /api/docs/            Swagger UI on that document
    GET /api/docs/static/...  Swagger UI's files (drf-spectacular-sidecar; no CDN)

Both prefixes are declared in config/routes.toml with `handler = "apidocs"` (public),
so CORS, the token check and the rate limit apply as on any route.

Each service serves its own document at `GET /internal/openapi.json`, generated from its
views and signed for like every internal path (rentezy_common.openapi). The gateway
fetches them when the merged document is first asked for, and again once it is older
than GATEWAY_OPENAPI_CACHE_SECONDS (60; 5 while a service did not answer), one fetch at
a time. `merge()` is pure: it keeps only the paths the routing table sends to the
service that documents them (never `/internal/`, `/admin/`, health or metrics), marks
each operation's security by its route's access mode, and renames components that
clash between services. The gateway's own session endpoints (edge/session.py), which no
service documents, are described here (`SESSION_PATHS`) and merged as part of the
document of the upstream their route names (auth), whose `User` they answer with.

`python -m edge.apidocs NAME=FILE ... > merged.json` (cwd api_gateway) merges documents
read from files the same way, offline: scripts/openapi.py (`make openapi`).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp

from rentezy_common.gateway import sign_request
from rentezy_common.logs import clean_request_id

from . import refusal, session
from .config import SAFE_METHODS, GatewayConfig, load
from .refusal import Refusal

logger = logging.getLogger("rentezy.gateway.apidocs")

HANDLER = "apidocs"
DOCUMENT_PATH = "/api/openapi.json"
DOCS_PATH = "/api/docs/"
STATIC_PREFIX = DOCS_PATH + "static/"
UPSTREAM_DOCUMENT_PATH = "/internal/openapi.json"
SECURITY_SCHEME = "bearerAuth"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Components every service defines alike: one copy, whichever service it came from.
SHARED_COMPONENTS = frozenset({"Error"})

ASSETS = {
    "swagger-ui.css": b"text/css; charset=utf-8",
    "swagger-ui-bundle.js": b"text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": b"text/javascript; charset=utf-8",
    "favicon-32x32.png": b"image/png",
}
DOCS_PAGE = b"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>RentEzy API</title>
<link rel="icon" type="image/png" href="static/favicon-32x32.png">
<link rel="stylesheet" href="static/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="static/swagger-ui-bundle.js"></script>
<script src="static/swagger-ui-standalone-preset.js"></script>
<script src="static/init.js"></script>
</body>
</html>
"""
# A file rather than an inline script, so a Content-Security-Policy without
# 'unsafe-inline' still lets the page run.
INIT_JS = b"""window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout"
});
"""


def _asset(name: str) -> bytes:
    files = resources.files("drf_spectacular_sidecar") / "static" / "drf_spectacular_sidecar"
    return (files / "swagger-ui-dist" / name).read_bytes()


# --- the gateway's own session endpoints (edge/session.py) ---------------------------------


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_SESSION_ERRORS = {
    "400": _error(
        "The request is malformed or invalid (`parse_error`: the body is not a JSON object; "
        "auth_service's `invalid` with per-field details)."
    ),
    "401": _error(
        "No valid session or caller (`no_session`, `invalid_token`, "
        "`authentication_required`, auth_service's `invalid_credentials`, ...)."
    ),
    "403": _error(
        "Not from the web app's own pages (`csrf_failed`: no `X-CSRF: 1`, or a cross-site request)."
    ),
    "413": _error("The request body is too large (`payload_too_large`)."),
    "429": _error("Too many requests (`rate_limited`, `too_many_attempts`); see `Retry-After`."),
    "503": _error("auth_service is unavailable (`upstream_unavailable`); see `Retry-After`."),
}
_SET_COOKIE = {
    "Set-Cookie": {
        "description": "The session cookie (httpOnly, SameSite=Strict, Path=/api/session/; "
        "Secure outside dev): set to the new refresh token, or cleared.",
        "schema": {"type": "string"},
    }
}
_CSRF = {
    "name": "X-CSRF",
    "in": "header",
    "required": True,
    "description": "Must be `1`: a custom header a cross-site form cannot send. The request "
    "must also come from the gateway's own origin (`Sec-Fetch-Site: same-origin`, or an "
    "`Origin` naming the request's host).",
    "schema": {"type": "string", "enum": ["1"]},
}


def _session_cookie() -> dict:
    from django.conf import settings

    return {
        "name": settings.GATEWAY_SESSION_COOKIE_NAME,
        "in": "cookie",
        "required": False,
        "description": "The refresh token, set by the gateway (httpOnly: pages never see it).",
        "schema": {"type": "string"},
    }


def _session_operation(
    name: str,
    summary: str,
    *,
    body: str | None,
    ok: dict,
    errors=(),
    cookie: bool,
    caller: bool = False,
) -> dict:
    operation: dict[str, Any] = {
        "operationId": f"session_{name}",
        "summary": summary,
        "tags": ["session"],
        "parameters": [_CSRF, *([_session_cookie()] if cookie else [])],
        # the bearer token: required where the gateway needs a caller, else used if sent
        "security": [{SECURITY_SCHEME: []}] if caller else [{}, {SECURITY_SCHEME: []}],
    }
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    operation["responses"] = {
        **ok,
        **_SESSION_ERRORS,
        **{status: _error(text) for status, text in errors},
    }
    return {"post": operation}


def _signed_in(description: str) -> dict:
    return {
        "200": {
            "description": description,
            "headers": _SET_COOKIE,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}},
        }
    }


SESSION_SCHEMAS = {
    "Session": {
        "type": "object",
        "description": "A web app session's access token (the refresh token is in the "
        "cookie only) and its user (null if it could not be read just then).",
        "properties": {
            "access": {"type": "string", "description": "JWT access token, kept in memory."},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "access_expires_in": {"type": "integer", "description": "Seconds."},
            "user": {"oneOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}]},
        },
        "required": ["access", "token_type", "access_expires_in", "user"],
    }
}


def session_paths() -> dict[str, dict]:
    """The web app's cookie sessions (edge/session.py), in OpenAPI: answered by the
    gateway, with auth_service's request bodies, `User` and errors passed through."""
    return {
        session.PREFIX + "login": _session_operation(
            "login",
            "Sign in: an access token, and the refresh token in a cookie",
            body="LoginRequest",
            ok=_signed_in("Signed in; the cookie holds the refresh token."),
            cookie=False,
        ),
        session.PREFIX + "refresh": _session_operation(
            "refresh",
            "A new access token from the session cookie (rotated)",
            body=None,
            ok=_signed_in("A fresh access token; the cookie holds the new refresh token."),
            cookie=True,
        ),
        session.PREFIX + "logout": _session_operation(
            "logout",
            "Sign out: end the session (by the bearer token, else the cookie) and clear the cookie",
            body=None,
            ok={
                "204": {
                    "description": "Signed out (also when there was nothing to end).",
                    "headers": _SET_COOKIE,
                }
            },
            cookie=True,
        ),
        session.PREFIX + "password": _session_operation(
            "password",
            "Change the password: every other session ends, this one goes on with a new cookie",
            body="PasswordChangeRequest",
            ok=_signed_in("Changed; a new access token, and a new refresh token in the cookie."),
            errors=[("404", "auth_service's `not_found` (it documents one for this call).")],
            cookie=False,
            caller=True,
        ),
    }


def with_session_endpoints(config: GatewayConfig, documents: dict[str, dict]) -> dict[str, dict]:
    """`documents` with the session endpoints added to the document of the upstream their
    route names (when it answered: they use its `User` and request bodies)."""
    route = config.match(session.PREFIX + "login")
    upstream = route.upstream.name if route is not None else None
    if upstream not in documents:
        return documents
    document = copy.deepcopy(documents[upstream])
    document.setdefault("paths", {}).update(session_paths())
    components = document.setdefault("components", {})
    components["schemas"] = {**(components.get("schemas") or {}), **SESSION_SCHEMAS}
    return {**documents, upstream: document}


# --- merging -------------------------------------------------------------------------------


def route_security(access: str, method: str, own: list | None) -> list[dict]:
    """The operation's security at the edge: required where the route's access mode needs
    a token for this method, or where the service itself needs a caller; otherwise
    optional (a token, if sent, is validated and forwarded)."""
    gateway_needs = access == "authenticated" or (
        access == "public_read" and method.upper() not in SAFE_METHODS
    )
    service_needs = own is not None and {} not in own and any(own)
    if gateway_needs or service_needs:
        return [{SECURITY_SCHEME: []}]
    return [{}, {SECURITY_SCHEME: []}]


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                prefix = "#/components/schemas/"
                name = value.removeprefix(prefix)
                value = prefix + renames.get(name, name) if value.startswith(prefix) else value
            out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def merge(config: GatewayConfig, documents: dict[str, dict]) -> dict:
    """One public document from the services' own ({upstream name: document}), with the
    gateway's own session endpoints."""
    documents = with_session_endpoints(config, documents)
    # Component names used by more than one service with different content.
    seen: dict[str, dict[str, Any]] = {}
    for upstream, document in documents.items():
        for name, schema in (document.get("components", {}).get("schemas") or {}).items():
            seen.setdefault(name, {})[upstream] = schema
    clashing = {
        name
        for name, by_service in seen.items()
        if name not in SHARED_COMPONENTS
        and len({json.dumps(s, sort_keys=True) for s in by_service.values()}) > 1
    }

    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tags: dict[str, dict] = {}
    operation_ids: set[str] = set()
    for upstream in sorted(documents):
        document = documents[upstream]
        prefix = upstream[:1].upper() + upstream[1:]
        renames = {name: prefix + name for name in clashing if upstream in seen[name]}
        for name, schema in (document.get("components", {}).get("schemas") or {}).items():
            schemas[renames.get(name, name)] = _rename_refs(schema, renames)
        for path, item in sorted((document.get("paths") or {}).items()):
            route = config.match(path)
            if (
                not path.startswith("/api/")
                or route is None
                or route.websocket
                or route.upstream.name != upstream
            ):
                continue
            item = _rename_refs(copy.deepcopy(item), renames)
            for method in METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                operation["security"] = route_security(
                    route.access, method, operation.get("security")
                )
                operation["x-rentezy-upstream"] = upstream
                operation["x-rentezy-access"] = route.access
                if operation.get("operationId") in operation_ids:
                    operation["operationId"] = f"{upstream}_{operation['operationId']}"
                operation_ids.add(operation.get("operationId"))
                for tag in operation.get("tags", ()):
                    tags.setdefault(tag, {"name": tag, "x-rentezy-upstream": upstream})
            paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "RentEzy API",
            "version": "1.0.0",
            "description": (
                "Every public route of the platform, through its gateway. Generated from "
                'the services\' code; errors are `{"error": {"code", "message", '
                '"details"}}` (`Error`). Sign in with `POST /api/auth/login` and send '
                "`Authorization: Bearer <access>`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "The access token of `POST /api/auth/login`, checked "
                    "by the gateway.",
                }
            },
        },
        "tags": [tags[name] for name in sorted(tags)],
    }


def upstream_names(config: GatewayConfig) -> list[str]:
    """The upstreams whose documents are merged: those of the HTTP routes."""
    return sorted({r.upstream.name for r in config.routes if not r.websocket and not r.handler})


# --- serving -------------------------------------------------------------------------------


class ApiDocs:
    """The merged document (cached) and the docs page."""

    def __init__(
        self,
        config: GatewayConfig,
        session: aiohttp.ClientSession,
        signing_secret: str,
        cache_seconds: float,
    ) -> None:
        self.config = config
        self.session = session
        self.signing_secret = signing_secret
        self.cache_seconds = cache_seconds
        self._document: bytes | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def serve(self, exchange) -> None:
        if exchange.method not in ("GET", "HEAD"):
            raise Refusal(405, "method_not_allowed", "Only GET is allowed here.")
        path = exchange.path
        headers = [*exchange.cors, *exchange.decision.headers()] if exchange.decision else []
        if path == DOCUMENT_PATH:
            body = await self.document(exchange.request_id)
            content_type = b"application/json"
        elif path == DOCS_PATH:
            body, content_type = DOCS_PAGE, b"text/html; charset=utf-8"
        elif path == STATIC_PREFIX + "init.js":
            body, content_type = INIT_JS, ASSETS["swagger-ui-bundle.js"]
        elif path.startswith(STATIC_PREFIX) and path[len(STATIC_PREFIX) :] in ASSETS:
            name = path[len(STATIC_PREFIX) :]
            body, content_type = _asset(name), ASSETS[name]
            headers.append((b"cache-control", b"public, max-age=3600"))
        else:
            raise refusal.not_found()
        await exchange.respond(200, body, content_type=content_type, headers=headers)

    async def document(self, request_id: str) -> bytes:
        if self._document is not None and time.monotonic() < self._expires:
            return self._document
        async with self._lock:  # one rebuild at a time; the others wait for it
            if self._document is None or time.monotonic() >= self._expires:
                documents = await self._fetch_all(request_id)
                merged = merge(self.config, documents)
                missing = sorted(set(self._upstreams()) - set(documents))
                if missing:
                    merged["info"]["x-rentezy-unavailable"] = missing
                self._document = json.dumps(merged).encode()
                ttl = min(self.cache_seconds, 5) if missing else self.cache_seconds
                self._expires = time.monotonic() + ttl
        return self._document

    def _upstreams(self):
        return upstream_names(self.config)

    async def _fetch_all(self, request_id: str) -> dict[str, dict]:
        names = self._upstreams()
        answers = await asyncio.gather(*(self._fetch(n, request_id) for n in names))
        return {name: doc for name, doc in zip(names, answers, strict=True) if doc is not None}

    async def _fetch(self, name: str, request_id: str) -> dict | None:
        upstream = self.config.upstreams[name]
        headers = sign_request(
            secret=self.signing_secret,
            method="GET",
            path=UPSTREAM_DOCUMENT_PATH,
            request_id=clean_request_id(request_id),
        )
        timeout = aiohttp.ClientTimeout(
            total=upstream.connect_timeout + upstream.read_timeout,
            connect=upstream.connect_timeout,
        )
        try:
            async with self.session.get(
                upstream.url + UPSTREAM_DOCUMENT_PATH, headers=headers, timeout=timeout
            ) as response:
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("no OpenAPI document from %s: %s", name, exc)
            return None
        if response.status != 200:
            logger.warning("no OpenAPI document from %s: HTTP %s", name, response.status)
            return None
        try:
            document = json.loads(body)
        except ValueError:
            logger.warning("the OpenAPI document of %s is not JSON", name)
            return None
        return document if isinstance(document, dict) else None


# --- offline -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """`python -m edge.apidocs NAME=FILE ...` (cwd api_gateway): the merged document of
    those upstreams' documents on stdout, exactly as `GET /api/openapi.json` would serve
    it with this routing table (scripts/openapi.py). Every upstream must be given."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    documents = {}
    for arg in sys.argv[1:] if argv is None else argv:
        name, _, path = arg.partition("=")
        documents[name] = json.loads(Path(path).read_text())
    config = load()
    missing = sorted(set(upstream_names(config)) - set(documents))
    if missing:
        print(f"no document for the upstream(s) {', '.join(missing)}", file=sys.stderr)
        return 2
    json.dump(merge(config, documents), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
