"""The web app served by the gateway at / (edge/webapp.py): cache headers, client-route
fallback, pre-compressed files, and the paths it must leave alone."""

from __future__ import annotations

import gzip

import httpx
import pytest

from tests.conftest import _gateway

INDEX = b"<!doctype html><html lang=en><title>RentEzy</title><div id=root></div></html>"
SCRIPT = b"console.log('hashed asset');" * 50


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    root = tmp_path_factory.mktemp("dist")
    (root / "index.html").write_bytes(INDEX)
    (root / "assets").mkdir()
    (root / "assets" / "app-3f2a1b.js").write_bytes(SCRIPT)
    (root / "assets" / "app-3f2a1b.js.gz").write_bytes(gzip.compress(SCRIPT))
    (root / "assets" / "app-3f2a1b.js.br").write_bytes(b"pretend-brotli")
    (root / "robots.txt").write_bytes(b"User-agent: *\n")
    (root / ".env").write_bytes(b"SECRET=1")
    return root


@pytest.fixture(scope="module")
def web(auth_server, echo_server, flaky_port, dist):
    with _gateway(
        auth_server, echo_server, flaky_port, "gateway-web", GATEWAY_WEBAPP_DIR=str(dist)
    ) as server, httpx.Client(base_url=server.url, timeout=30) as client:  # fmt: skip
        yield client


def raw(client, path, **headers) -> tuple[httpx.Response, bytes]:
    with client.stream("GET", path, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def test_index_is_never_cached_and_client_routes_fall_back_to_it(web):
    for path in ("/", "/listings/7f0c", "/landlord/properties/new", "/dev/checkout/abc"):
        response = web.get(path)
        assert response.status_code == 200, path
        assert response.content == INDEX
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    etag = web.get("/").headers["etag"]
    again = web.get("/bookings", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_hashed_assets_are_immutable_and_precompressed_when_accepted(web):
    response, body = raw(web, "/assets/app-3f2a1b.js", **{"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert body == SCRIPT
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in response.headers

    response, body = raw(web, "/assets/app-3f2a1b.js", **{"Accept-Encoding": "gzip, deflate"})
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == SCRIPT

    response, body = raw(web, "/assets/app-3f2a1b.js", **{"Accept-Encoding": "gzip, br"})
    assert response.headers["content-encoding"] == "br" and body == b"pretend-brotli"

    response, body = raw(web, "/assets/app-3f2a1b.js", **{"Accept-Encoding": "br;q=0, gzip"})
    assert response.headers["content-encoding"] == "gzip"


def test_missing_files_are_404_not_html(web):
    for path in ("/assets/app-000000.js", "/favicon.png", "/.env", "/assets/../.env"):
        response = web.get(path)
        assert response.status_code == 404, path
        assert b"<html" not in response.content
    assert web.get("/robots.txt").headers["cache-control"] == "public, max-age=3600"


def test_only_get_and_head(web):
    assert web.head("/").status_code == 200
    assert web.head("/").content == b""
    response = web.post("/", content=b"x")
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"


def test_api_and_health_are_untouched(web):
    api = web.get("/api/nowhere/")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert web.get("/healthz").status_code == 200
    assert web.get("/healthz").headers["content-type"].startswith("application/json")
    metrics = web.get("/metrics")  # on the internal listener only, never here
    assert metrics.status_code == 404 and metrics.json()["error"]["code"] == "not_found"
    for internal in ("/internal/introspect", "/admin/"):
        refused = web.get(internal)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"


def test_not_built_yet_is_a_503_saying_how(auth_server, echo_server, flaky_port, tmp_path):
    with _gateway(
        auth_server, echo_server, flaky_port, "gateway-unbuilt", GATEWAY_WEBAPP_DIR=str(tmp_path)
    ) as server:  # fmt: skip
        response = httpx.get(server.url + "/search")
    assert response.status_code == 503
    assert b"scripts/frontend.sh build" in response.content
