"""The merged document and the routes cannot drift apart: every path the gateway
documents is routed by its routing table to the service that documents it, every path a
service documents under /api/ is in the merged document (or routed elsewhere: a drift),
and the document is valid OpenAPI 3.1. The web app's copy (frontend/src/api/openapi.json,
its types' source) is the document the services generate now."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
from openapi_spec_validator import validate

from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET
from rentezy_common.gateway import sign_request

REPO = Path(__file__).resolve().parents[2]
ROUTES = REPO / "api_gateway" / "config" / "routes.toml"
WEB_DOCUMENT = REPO / "frontend" / "src" / "api" / "openapi.json"
# What only says how the gateway was when it merged, not what the API is.
VOLATILE_INFO = ("x-rentezy-unavailable",)
METHODS = ("get", "put", "post", "delete", "patch")


def routing_table() -> list[dict]:
    """config/routes.toml's routes, longest prefix first (as edge/config.py orders them)."""
    routes = tomllib.loads(ROUTES.read_text())["routes"]
    return sorted(routes, key=lambda r: len(r["prefix"]), reverse=True)


def route_of(path: str) -> dict | None:
    return next((r for r in routing_table() if path.startswith(r["prefix"])), None)


def own_document(process) -> dict:
    headers = sign_request(
        secret=DEV_GATEWAY_SIGNING_SECRET,
        method="GET",
        path="/internal/openapi.json",
        request_id="contract-test",
    )
    response = httpx.get(process.url + "/internal/openapi.json", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def differences(committed, live, at: str = "") -> Iterator[str]:
    """JSON pointers where two documents differ, and how."""
    if isinstance(committed, dict) and isinstance(live, dict):
        for key in sorted(committed.keys() | live.keys()):
            here = f"{at}/{key.replace('~', '~0').replace('/', '~1')}"
            if key not in live:
                yield f"{here}: only in the committed file"
            elif key not in committed:
                yield f"{here}: not in the committed file"
            else:
                yield from differences(committed[key], live[key], here)
    elif isinstance(committed, list) and isinstance(live, list) and len(committed) == len(live):
        for index, (old, new) in enumerate(zip(committed, live, strict=True)):
            yield from differences(old, new, f"{at}/{index}")
    elif committed != live:
        yield f"{at or '/'}: {json.dumps(committed)[:120]} -> {json.dumps(live)[:120]}"


def test_the_web_apps_document_is_the_one_the_services_generate(document):
    """frontend/src/api/openapi.json (committed; the web app's types are generated from
    it) equals the gateway's merged /api/openapi.json of the services running now."""
    committed = json.loads(WEB_DOCUMENT.read_text())
    live = json.loads(json.dumps(document))
    for volatile in VOLATILE_INFO:
        committed["info"].pop(volatile, None)
        live["info"].pop(volatile, None)
    drift = list(differences(committed, live))
    assert not drift, (
        f"{WEB_DOCUMENT.relative_to(REPO)} is not the API the services document now: run "
        "`make openapi` and commit frontend/src/api/openapi.json and schema.d.ts (then fix "
        f"the web app where tsc says). {len(drift)} difference(s):\n  " + "\n  ".join(drift[:40])
    )


def test_merged_document_is_valid_openapi_31(document):
    assert document["openapi"] == "3.1.0"
    validate(document)  # openapi-spec-validator picks the 3.1 validator from the version
    assert "x-rentezy-unavailable" not in document["info"], "a service did not answer"


def test_every_documented_path_is_routed_to_its_service(document):
    assert document["paths"], "nothing documented"
    for path, item in document["paths"].items():
        route = route_of(path)
        assert path.startswith("/api/") and "/internal/" not in path, path
        assert route is not None and not route.get("websocket"), f"{path} is not routed"
        assert "handler" not in route, f"{path} is the gateway's own"
        for method in METHODS:
            if method in item:
                assert item[method]["x-rentezy-upstream"] == route["upstream"], (method, path)


def test_every_service_path_reaches_the_merged_document(platform, document):
    """A service documenting a path the gateway does not send to it is drift too."""
    for name, process in platform.processes.items():
        if name == "gateway":
            continue
        own = own_document(process)
        for path, item in own["paths"].items():
            if not path.startswith("/api/"):
                assert path.startswith("/internal/"), f"{name} documents {path}"
                continue
            route = route_of(path)
            assert route is not None and route.get("upstream") == name, (
                f"{name} documents {path}, which the gateway routes to "
                f"{route and route.get('upstream')}"
            )
            merged = document["paths"][path]
            assert {m for m in METHODS if m in item} == {m for m in METHODS if m in merged}


def test_security_matches_the_access_modes(document):
    for path, item in document["paths"].items():
        access = route_of(path).get("access", "authenticated")
        for method in METHODS:
            if method not in item:
                continue
            security = item[method]["security"]
            if access == "authenticated" or (access == "public_read" and method != "get"):
                assert security == [{"bearerAuth": []}], (method, path)
            assert item[method]["x-rentezy-access"] == access


def test_docs_page_through_the_gateway(api):
    page = api.get("/api/docs/")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assert api.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200
