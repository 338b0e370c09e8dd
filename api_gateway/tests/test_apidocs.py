"""The API's contract at the edge (edge/apidocs.py): the merged OpenAPI document and the
docs page, answered by the gateway itself."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from edge import config
from edge.apidocs import merge, route_security

from tests.conftest import PASSWORD

REQUIRED = [{"bearerAuth": []}]
OPTIONAL = [{}, {"bearerAuth": []}]


@pytest.fixture(scope="module")
def document(gateway):
    import httpx

    response = httpx.get(gateway.url + "/api/openapi.json", timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_only_routed_public_paths_are_merged(document):
    paths = document["paths"]
    assert document["openapi"] == "3.1.0"
    assert {"/api/echo/public/things", "/api/echo/read/items", "/api/echo/secret"} <= set(paths)
    assert "/api/auth/login" in paths and "/api/auth/users/{user_id}" in paths
    # never the internal, admin or health paths; never a path routed to another upstream
    assert not [p for p in paths if not p.startswith("/api/")]
    assert paths["/api/auth/me"]["get"]["x-rentezy-upstream"] == "auth"
    assert paths["/api/echo/secret"]["get"]["x-rentezy-upstream"] == "echo"
    assert "/api/openapi.json" not in paths


def test_security_follows_the_routes_access_mode(document):
    paths = document["paths"]
    assert paths["/api/echo/public/things"]["get"]["security"] == OPTIONAL
    assert paths["/api/echo/read/items"]["get"]["security"] == OPTIONAL
    assert paths["/api/echo/read/items"]["post"]["security"] == REQUIRED  # public_read
    assert paths["/api/echo/secret"]["get"]["security"] == REQUIRED  # authenticated
    # a public route whose service needs a caller: the service's answer counts
    assert paths["/api/echo/public/mine"]["get"]["security"] == REQUIRED
    assert paths["/api/auth/login"]["post"]["security"] == OPTIONAL
    assert paths["/api/auth/me"]["get"]["security"] == REQUIRED
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}


def test_clashing_components_are_renamed_per_service(document):
    schemas = document["components"]["schemas"]
    assert "User" not in schemas
    assert schemas["EchoUser"] == {"type": "object", "properties": {"echo": {"type": "string"}}}
    assert "email" in schemas["AuthUser"]["properties"]
    ok = document["paths"]["/api/echo/secret"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/EchoUser"
    me = document["paths"]["/api/auth/me"]["get"]["responses"]["200"]
    assert me["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/AuthUser"
    # the platform's error shape is one component
    assert "Error" in schemas and "AuthError" not in schemas


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_the_gateways_own_session_endpoints_are_documented(document, gateway, client, register):
    """/api/session/* (edge/session.py) are no service's: the gateway adds them to the
    document of the upstream their route names, with the CSRF header, the cookie and the
    platform's error shape; their `User` follows auth's (renamed here: echo clashes)."""
    paths, schemas = document["paths"], document["components"]["schemas"]
    error = {"$ref": "#/components/schemas/Error"}
    for action in ("login", "refresh", "logout", "password"):
        item = paths[f"/api/session/{action}"]
        assert set(item) == {"post"}, action
        operation = item["post"]
        assert operation["x-rentezy-upstream"] == "auth"
        assert operation["x-rentezy-access"] == "public"
        header = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert header["X-CSRF"]["required"] and header["X-CSRF"]["schema"]["enum"] == ["1"]
        cookies = [p["name"] for p in operation["parameters"] if p["in"] == "cookie"]
        assert cookies == (["rentezy_refresh"] if action in ("refresh", "logout") else [])
        for status in ("400", "401", "403", "429", "503"):
            assert operation["responses"][status]["content"]["application/json"]["schema"] == (
                error
            ), (action, status)
        ok = operation["responses"]["204" if action == "logout" else "200"]
        assert "Set-Cookie" in ok["headers"]
    body = paths["/api/session/login"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/LoginRequest"
    assert paths["/api/session/login"]["post"]["security"] == OPTIONAL
    assert paths["/api/session/password"]["post"]["security"] == REQUIRED
    session = schemas["Session"]
    assert session["properties"]["user"]["oneOf"] == [
        {"$ref": "#/components/schemas/AuthUser"},
        {"type": "null"},
    ]
    # every reference of the merged document resolves
    prefix = "#/components/schemas/"
    assert {r for r in refs(document) if r.removeprefix(prefix) not in schemas} == set()

    # ... and says what the gateway answers
    email = register()
    answer = client.post(
        "/api/session/login",
        json={"email": email, "password": PASSWORD},
        headers={"Origin": gateway.url, "X-CSRF": "1"},
    )
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == set(session["properties"]) == set(session["required"])
    refused = client.post("/api/session/refresh", headers={"X-CSRF": "0"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"


def test_session_endpoints_need_the_upstream_that_answers_them():
    """Offline, as scripts/openapi.py merges: without auth's document there is no `User`
    to answer with, so no session endpoints either."""
    table = config.load()
    auth = {"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"User": {}}}}
    assert "/api/session/login" in merge(table, {"auth": auth})["paths"]
    assert "/api/session/login" not in merge(table, {"property": auth})["paths"]


def test_docs_page_is_self_contained(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "static/swagger-ui-bundle.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    init = client.get("/api/docs/static/init.js")
    assert init.status_code == 200 and '"/api/openapi.json"' in init.text
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        asset = client.get(f"/api/docs/static/{name}")
        assert asset.status_code == 200 and len(asset.content) > 1000, name
    missing = client.get("/api/docs/static/../../routes.toml")
    assert missing.status_code == 404
    assert client.get("/api/docs/static/swagger-ui.js.map").status_code == 404


def test_docs_paths_are_get_only_and_rate_limited(client):
    refused = client.post("/api/openapi.json", json={})
    assert refused.status_code == 405
    assert refused.json()["error"]["code"] == "method_not_allowed"
    answered = client.get("/api/docs/")
    assert "x-ratelimit-limit" in answered.headers


def test_route_security_rules():
    assert route_security("public", "get", None) == OPTIONAL
    assert route_security("public", "post", [{}, {"bearerAuth": []}]) == OPTIONAL
    assert route_security("public", "post", REQUIRED) == REQUIRED
    assert route_security("public_read", "GET", OPTIONAL) == OPTIONAL
    assert route_security("public_read", "DELETE", OPTIONAL) == REQUIRED
    assert route_security("authenticated", "get", OPTIONAL) == REQUIRED


def test_handler_routes_need_no_upstream(tmp_path):
    routes = tmp_path / "routes.toml"
    routes.write_text(
        '[upstreams.auth]\n[[routes]]\nprefix = "/api/docs/"\nhandler = "apidocs"\n'
        'access = "public"\n'
    )
    table = config.load(routes)
    route = table.match("/api/docs/static/x.js")
    assert route.handler == "apidocs" and route.upstream.name == "gateway"
    routes.write_text(
        '[upstreams.auth]\n[[routes]]\nprefix = "/api/docs/"\nhandler = "apidocs"\n'
        'upstream = "auth"\n'
    )
    with pytest.raises(ImproperlyConfigured):
        config.load(routes)
