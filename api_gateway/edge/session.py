"""Sessions for the web app, the way the OAuth browser-app guidance recommends: the refresh
token never reaches JavaScript. The gateway keeps it in an httpOnly, SameSite=Strict
cookie (Secure outside dev) whose Path is limited to these endpoints; the app keeps only
the short-lived access token, in memory, and sends it as `Authorization: Bearer` like
any other client (docs/services/gateway.md, "Web app sessions").

    POST /api/session/login   {email, password} -> {access, access_expires_in, user}
    POST /api/session/refresh (cookie)         -> {access, access_expires_in, user}
    POST /api/session/logout  (cookie, optional bearer) -> 204
    POST /api/session/password (bearer) {current_password, new_password}
                               -> {access, access_expires_in, user}, new cookie

Each calls auth_service's own endpoint (login, refresh, logout) over the auth upstream,
signed like any forwarded request; refresh rotates the cookie. Being authenticated by a
cookie, these are the only CSRF-exposed requests of the platform, so each must carry
`X-CSRF: 1` (a custom header: a cross-site form cannot send one, and a cross-site
fetch with it needs a CORS preflight the gateway does not grant) and come from the
gateway's own origin (`Sec-Fetch-Site: same-origin`, or an `Origin` whose host is the
request's `Host`, or one of GATEWAY_SESSION_ORIGINS). Routing, rate limits and body
limits come from config/routes.toml like any route (`/api/session/...`, public, per IP).
"""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import urlsplit

import aiohttp
from django.conf import settings

from rentezy_common.errors import error_body
from rentezy_common.gateway import sign_request
from rentezy_common.jsonbody import BadJson
from rentezy_common.jsonbody import loads as loads_limited

from . import metrics

logger = logging.getLogger(__name__)

PREFIX = "/api/session/"
COOKIE_PATH = "/api/session/"
ACTIONS = ("login", "refresh", "logout", "password")


class _Unavailable(Exception):
    pass


def _error(status: int, code: str, message: str, details=None) -> tuple[int, bytes]:
    return status, json.dumps(error_body(code, message, details)).encode()


def _claims(access: str) -> dict:
    """The claims of an access token auth_service has just issued to us over the
    upstream (so trusted as is: nobody else could have put it in that answer)."""
    payload = access.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def read_cookie(header: str | None, name: str) -> str | None:
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value.strip('"')
    return None


def cookie_header(value: str, max_age: int) -> bytes:
    parts = [
        f"{settings.GATEWAY_SESSION_COOKIE_NAME}={value}",
        f"Path={COOKIE_PATH}",
        f"Max-Age={max_age}",
        "HttpOnly",
        "SameSite=Strict",
    ]
    if settings.GATEWAY_SESSION_COOKIE_SECURE:
        parts.append("Secure")
    return "; ".join(parts).encode()


def _session_cookie(answer: dict) -> tuple[bytes, bytes]:
    return b"set-cookie", cookie_header(answer["refresh"], answer["refresh_expires_in"])


def same_origin(request) -> bool:
    """The request comes from a page of the gateway's own origin (or a configured one)."""
    site = request.header(b"sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = request.header(b"origin")
    if origin is None:
        # Browsers send Origin with every POST; Sec-Fetch-Site alone also proves it.
        return site == "same-origin"
    if origin in settings.GATEWAY_SESSION_ORIGINS:
        return True
    host = request.header(b"host")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


class SessionApi:
    """The three endpoints, for one gateway (its upstream config and HTTP session)."""

    def __init__(self, gateway) -> None:
        self.gateway = gateway

    async def handle(self, request, route, decision, raw: bytes, send) -> tuple[int, int]:
        """Answer one request under PREFIX (its body `raw`, read by the gateway with the
        route's limits and timeouts: body.py); returns (status, bytes sent)."""
        action = request.path.removeprefix(PREFIX).strip("/")
        extra = list(decision.headers())
        if action not in ACTIONS:
            return await self._send(send, request, *_error(404, "not_found", "Not found."), extra)
        if request.method != "POST":
            extra.append((b"allow", b"POST"))
            status, body = _error(405, "method_not_allowed", "Use POST.")
            return await self._send(send, request, status, body, extra)
        if request.header(b"x-csrf") != "1" or not same_origin(request):
            status, body = _error(
                403,
                "csrf_failed",
                "Session requests must come from the web app's own pages (X-CSRF header "
                "and same origin).",
            )
            return await self._send(send, request, status, body, extra)
        cookie = read_cookie(request.header(b"cookie"), settings.GATEWAY_SESSION_COOKIE_NAME)
        try:
            if action == "login":
                return await self._login(request, raw, extra, send)
            if action == "refresh":
                return await self._refresh(request, cookie, extra, send)
            if action == "password":
                return await self._password(request, raw, extra, send)
            return await self._logout(request, cookie, extra, send)
        except _Unavailable:
            extra.append((b"retry-after", b"1"))
            status, body = _error(503, "upstream_unavailable", "The auth service is down.")
            return await self._send(send, request, status, body, extra)

    # --- the endpoints -----------------------------------------------------------------

    async def _login(self, request, raw: bytes, extra, send):
        try:
            data = loads_limited(raw or b"null")
        except BadJson:
            data = None
        if not isinstance(data, dict):
            status, body = _error(400, "parse_error", "Send {email, password} as JSON.")
            return await self._send(send, request, status, body, extra)
        status, answer, headers = await self._auth(
            request,
            "POST",
            "/api/auth/login",
            {"email": data.get("email", ""), "password": data.get("password", "")},
        )
        if status != 200:
            return await self._pass(send, request, status, answer, headers, extra)
        extra.append(_session_cookie(answer))
        body = {
            "access": answer["access"],
            "token_type": "Bearer",
            "access_expires_in": answer["access_expires_in"],
            "user": answer["user"],
        }
        return await self._send(send, request, 200, json.dumps(body).encode(), extra)

    async def _refresh(self, request, cookie: str | None, extra, send):
        if not cookie:
            status, body = _error(401, "no_session", "Not signed in.")
            return await self._send(send, request, status, body, extra)
        status, answer, headers = await self._auth(
            request, "POST", "/api/auth/refresh", {"refresh": cookie}
        )
        if status != 200:
            if status in (400, 401):  # gone for good: forget the cookie
                extra.append((b"set-cookie", cookie_header("", 0)))
            return await self._pass(send, request, status, answer, headers, extra)
        extra.append(_session_cookie(answer))
        claims = _claims(answer["access"])
        me_status, user, _ = await self._auth(
            request,
            "GET",
            "/api/auth/me",
            None,
            user=(str(claims["sub"]), str(claims["role"])),
            authorization=answer["access"],
        )
        body = {
            "access": answer["access"],
            "token_type": "Bearer",
            "access_expires_in": answer["access_expires_in"],
            "user": user if me_status == 200 else None,
        }
        return await self._send(send, request, 200, json.dumps(body).encode(), extra)

    async def _password(self, request, raw: bytes, extra, send):
        """Change the password (auth_service ends every session of the user and opens a
        new one for this caller): the new refresh token goes into the cookie, never into
        the page, so the tabs of this browser stay signed in."""
        caller = request.caller
        if caller is None:
            status, body = _error(401, "authentication_required", "Sign in to do this.")
            return await self._send(send, request, status, body, extra)
        try:
            data = loads_limited(raw or b"null")
        except BadJson:
            data = None
        if not isinstance(data, dict):
            status, body = _error(400, "parse_error", "Send {current_password, new_password}.")
            return await self._send(send, request, status, body, extra)
        access = (request.header(b"authorization") or "").partition(" ")[2].strip()
        user = (caller.user_id, caller.role)
        status, answer, headers = await self._auth(
            request, "POST", "/api/auth/password", data, user=user, authorization=access
        )
        if status != 200:
            return await self._pass(send, request, status, answer, headers, extra)
        extra.append(_session_cookie(answer))
        me_status, me, _ = await self._auth(
            request, "GET", "/api/auth/me", None, user=user, authorization=answer["access"]
        )
        body = {
            "access": answer["access"],
            "token_type": "Bearer",
            "access_expires_in": answer["access_expires_in"],
            "user": me if me_status == 200 else None,
        }
        return await self._send(send, request, 200, json.dumps(body).encode(), extra)

    async def _logout(self, request, cookie: str | None, extra, send):
        """End the session on auth_service (by the caller's bearer token if it sent a
        valid one, else by trading the cookie for a fresh pair of the same session), then
        forget the cookie. Nothing to end is fine: 204 either way."""
        caller, access, refresh = request.caller, None, cookie
        if caller is not None:
            header = request.header(b"authorization") or ""
            access = header.partition(" ")[2].strip()
            user = (caller.user_id, caller.role)
        elif cookie:
            status, answer, _ = await self._auth(
                request, "POST", "/api/auth/refresh", {"refresh": cookie}
            )
            user = None
            if status == 200:
                claims = _claims(answer["access"])
                access, refresh = answer["access"], answer["refresh"]
                user = (str(claims["sub"]), str(claims["role"]))
        else:
            user = None
        if user is not None:
            body = {"refresh": refresh} if refresh else {}
            status, answer, headers = await self._auth(
                request, "POST", "/api/auth/logout", body, user=user, authorization=access
            )
            if status >= 500:
                return await self._pass(send, request, status, answer, headers, extra)
        extra.append((b"set-cookie", cookie_header("", 0)))
        return await self._send(send, request, 204, b"", extra, content_type=None)

    # --- helpers ------------------------------------------------------------------------

    async def _auth(self, request, method, path, body, *, user=None, authorization=None):
        """(status, parsed JSON or None, headers) of one call to auth_service."""
        gateway = self.gateway
        upstream = gateway.config.upstreams["auth"]
        user_id, role = user or (None, None)
        headers = sign_request(
            secret=settings.GATEWAY_SIGNING_SECRETS[0],
            method=method,
            path=path,
            query="",
            user_id=user_id,
            role=role,
            request_id=request.request_id,
        )
        headers["X-Forwarded-For"] = request.client_ip
        # auth_service tells a sign-in from a device it has not seen (a security email)
        if user_agent := request.header(b"user-agent"):
            headers["User-Agent"] = user_agent[:512]
        if authorization:
            headers["Authorization"] = f"Bearer {authorization}"
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        timeout = aiohttp.ClientTimeout(
            total=upstream.connect_timeout + upstream.read_timeout,
            connect=upstream.connect_timeout,
        )
        try:
            async with gateway.session.request(
                method, upstream.url + path, data=data, headers=headers, timeout=timeout
            ) as response:
                raw = await response.read()
                status, answer_headers = response.status, response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            metrics.UPSTREAM_FAILURES.labels("auth", type(exc).__name__).inc()
            logger.warning("session: auth_service unreachable: %r", exc)
            raise _Unavailable() from exc
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = None
        kept = [
            (name.lower().encode(), value.encode("latin-1"))
            for name, value in answer_headers.items()
            if name.lower() == "retry-after"
        ]
        return status, answer, kept

    async def _pass(self, send, request, status, answer, headers, extra):
        """auth_service's error (its platform-shaped body) as it came."""
        if answer is None:
            status, body = _error(502, "bad_gateway", "The auth service failed to answer.")
        else:
            body = json.dumps(answer).encode()
        return await self._send(send, request, status, body, [*extra, *headers])

    async def _send(
        self, send, request, status, body, headers, content_type=b"application/json"
    ) -> tuple[int, int]:
        out = [(b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
        if content_type is not None:
            out.append((b"content-type", content_type))
        out.append((b"x-request-id", request.request_id.encode()))
        out.extend(headers)
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body, "more_body": False})
        return status, len(body)
