"""The merged document and the routes cannot drift apart: every path the gateway
documents is routed by its routing table to the service that documents it, every path a
service documents under /api/ is in the merged document (or routed elsewhere: a drift),
and the document is valid OpenAPI 3.1."""

from __future__ import annotations

import tomllib
from pathlib import Path

import httpx
from openapi_spec_validator import validate

from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET
from rentezy_common.gateway import sign_request

ROUTES = Path(__file__).resolve().parents[2] / "api_gateway" / "config" / "routes.toml"
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
