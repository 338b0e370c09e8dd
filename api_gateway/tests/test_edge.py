"""The gateway in front of real upstreams: routing, identity headers, limits, failures,
streaming, CORS, metrics and logs. Each test talks HTTP to a real gateway process."""

from __future__ import annotations

import hashlib
import json
import time

import httpx
import pytest
from edge import config

from tests.conftest import BREAKER_RESET_MS, bearer

# --- the production routing table ----------------------------------------------------------


def test_production_routing_table():
    table = config.load()  # config/routes.toml, as deployed
    login = table.match("/api/auth/login")
    assert login.access == "public" and login.rate_limit_key == "ip"
    assert login.rate_limit.limit / login.rate_limit.period < 100 / 60  # stricter than default
    assert table.match("/api/auth/register").rate_limit.limit <= 10
    assert table.match("/api/auth/me").needs_identity("GET")
    assert table.match("/internal/introspect") is None  # never routed
    properties = table.match("/api/properties/123/")
    assert not properties.needs_identity("GET") and properties.needs_identity("PATCH")
    assert not table.match("/api/search/properties").needs_identity("GET")
    assert not table.match("/api/bookings/stripe/webhook/").needs_identity("POST")
    assert table.match("/api/bookings/").needs_identity("GET")
    assert table.match("/ws/chat/").websocket
    assert table.match("/api/bookings/").upstream.url.startswith("http://127.0.0.1:8003")


def test_visits_public_reads_are_declared_route_by_route():
    """Slots of a published property and a calendar feed need no login; the rest of
    /api/visits/ does."""
    table = config.load()
    slots = table.match("/api/visits/properties/7f0c/slots/")
    assert slots.upstream.name == "visits"
    assert not slots.needs_identity("GET") and slots.needs_identity("PUT")
    feed = table.match("/api/visits/feeds/some-secret-token.ics")
    assert feed.upstream.name == "visits" and not feed.needs_identity("GET")
    assert feed.rate_limit_key == "ip"
    for path in ("/api/visits/requests/", "/api/visits/calendar-feed/"):
        assert table.match(path).needs_identity("GET"), path


# --- routing and identity headers ----------------------------------------------------------


def test_unknown_path_is_json_404(client):
    response = client.get("/api/nowhere/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.headers["x-request-id"]


def test_public_route_forwards_a_signed_anonymous_request(client):
    response = client.get("/api/echo/public/thing?a=1&b=%20x", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200, response.text
    seen = response.json()
    # the echo upstream verified the signature itself (401 otherwise)
    assert seen["user_id"] is None and seen["role"] is None
    assert seen["path"] == "/api/echo/public/thing" and seen["query"] == "a=1&b=%20x"
    assert seen["request_id"] == "req-42" and response.headers["x-request-id"] == "req-42"
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"


def test_client_identity_and_signature_headers_are_stripped(client):
    forged = {
        "X-Rentezy-User-Id": "1",
        "X-Rentezy-User-Role": "admin",
        "X-Rentezy-Signature": "v1=" + "0" * 64,
        "X-Rentezy-Nonce": "n",
        "X-Rentezy-Timestamp": "1",
        "X-User-Id": "1",
        "X-Forwarded-For": "10.9.9.9",
    }
    response = client.get("/api/echo/public/who", headers=forged)
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["user_id"] is None and seen["role"] is None  # anonymous, as the token said
    assert seen["headers"]["x-rentezy-signature"] != forged["X-Rentezy-Signature"]
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"  # no trusted proxies


def test_authenticated_route_needs_a_token(client):
    response = client.get("/api/echo/private")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_required"
    assert response.headers["www-authenticate"].startswith("Bearer")
    for value in ("Bearer not-a-jwt", "Basic dXNlcjpwdw==", "Bearer a.b.c"):
        response = client.get("/api/echo/private", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert response.json()["error"]["code"] == "invalid_token"


def test_public_read_route(client):
    assert client.get("/api/echo/read/x").status_code == 200
    response = client.post("/api/echo/read/x", json={})
    assert response.status_code == 401


# --- rate limiting -------------------------------------------------------------------------


def test_rate_limit_is_shared_by_two_gateway_processes(gateway, gateway2, clean_redis):
    for key in clean_redis.scan_iter("gw:rl:/api/echo/limited/*"):
        clean_redis.delete(key)
    remaining = []
    with httpx.Client(timeout=10) as http:
        for i in range(5):  # the route allows 5 per minute per IP
            url = (gateway if i % 2 == 0 else gateway2).url + "/api/echo/limited/x"
            response = http.get(url)
            assert response.status_code == 200, (i, response.text)
            assert response.headers["x-ratelimit-limit"] == "5"
            remaining.append(int(response.headers["x-ratelimit-remaining"]))
        assert remaining == [4, 3, 2, 1, 0]
        for server in (gateway, gateway2):
            refused = http.get(server.url + "/api/echo/limited/x")
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "rate_limited"
            retry_after = int(refused.headers["retry-after"])
            assert 1 <= retry_after <= 12  # one request per 12 s comes back
            assert refused.headers["x-ratelimit-remaining"] == "0"
            assert int(refused.headers["x-ratelimit-reset"]) > 0
        # other routes have their own budget
        assert http.get(gateway.url + "/api/echo/public/x").status_code == 200


# --- upstream failures ---------------------------------------------------------------------


def test_dead_upstream_fails_fast_then_recovers(client, flaky_server):
    assert client.get("/api/flaky/x").status_code == 200
    flaky_server.kill()
    timings = []
    for _ in range(6):
        started = time.perf_counter()
        response = client.get("/api/flaky/x")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "upstream_unavailable"
        assert int(response.headers["retry-after"]) >= 1
    # refused connections fail fast, and once the breaker is open nothing is tried at all
    assert max(timings) < 1.0, timings
    flaky_server.start()
    deadline = time.monotonic() + BREAKER_RESET_MS / 1000 + 5
    while time.monotonic() < deadline:
        response = client.get("/api/flaky/x")
        if response.status_code == 200:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text
    assert response.json()["upstream"] == "flaky"


# --- bodies ---------------------------------------------------------------------------------


def test_declared_body_over_the_limit_is_413(client):
    body = b"x" * (1024 * 1024 + 1)
    response = client.post("/api/echo/public/x", content=body)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and error["details"]["max_bytes"] == 1024 * 1024


def test_streamed_body_over_the_limit_is_413(client):
    def chunks():
        for _ in range(40):
            yield b"y" * 65536  # 2.5 MiB, no Content-Length: chunked

    response = client.post("/api/echo/public/x", content=chunks())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_small_body_and_methods_pass_through(client):
    response = client.put("/api/echo/public/x", json={"a": [1, 2, 3]})
    assert response.status_code == 200
    seen = response.json()
    assert seen["method"] == "PUT" and json.loads(seen["body"]) == {"a": [1, 2, 3]}
    assert seen["headers"]["content-type"] == "application/json"


# --- CORS -------------------------------------------------------------------------------------


def test_cors_for_the_web_app_origin(client):
    preflight = client.options(
        "/api/echo/private",
        headers={
            "Origin": "http://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "http://app.example"
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    actual = client.get("/api/echo/public/x", headers={"Origin": "http://app.example"})
    assert actual.headers["access-control-allow-origin"] == "http://app.example"
    assert "retry-after" in actual.headers["access-control-expose-headers"]
    other = client.get("/api/echo/public/x", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


# --- observability --------------------------------------------------------------------------


def test_metrics_and_json_access_log(client, gateway):
    response = client.get("/api/echo/public/metrics-probe", headers={"X-Request-ID": "probe-1"})
    assert response.status_code == 200
    assert client.get("/metrics").status_code == 404  # never on the public edge
    metrics = httpx.get(gateway.metrics_url).text
    assert (
        'gateway_requests_total{method="GET",route="/api/echo/public/",status="200",'
        'upstream="echo"}'
    ) in metrics
    assert "gateway_request_duration_seconds_bucket" in metrics
    deadline = time.monotonic() + 5
    line = None
    while time.monotonic() < deadline and line is None:
        for raw in gateway.log_path.read_text().splitlines():
            if '"probe-1"' in raw and "rentezy.access" in raw:
                line = json.loads(raw)
        time.sleep(0.1)
    assert line is not None
    assert line["request_id"] == "probe-1" and line["status"] == 200
    assert line["upstream"] == "echo" and line["route"] == "/api/echo/public/"
    assert isinstance(line["latency_ms"], float) and "user_id" in line


def test_secret_path_segments_never_reach_the_access_log(client, gateway):
    """LOG_REDACTED_PATHS: the segment standing for `{secret}` is masked in the line."""
    secret = "s3cr3t-feed-token-" + hashlib.sha256(str(time.time()).encode()).hexdigest()[:12]
    response = client.get(
        f"/api/echo/public/feeds/{secret}.ics", headers={"X-Request-ID": "redact-1"}
    )
    assert response.status_code == 200
    deadline = time.monotonic() + 5
    line = None
    while time.monotonic() < deadline and line is None:
        text = gateway.log_path.read_text()
        for raw in text.splitlines():
            if '"redact-1"' in raw and "rentezy.access" in raw:
                line = json.loads(raw)
        time.sleep(0.1)
    assert line is not None
    assert line["path"] == "/api/echo/public/feeds/[redacted]"
    assert line["message"] == "GET /api/echo/public/feeds/[redacted] 200"
    assert secret not in gateway.log_path.read_text()


# --- streaming large bodies -------------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024


def test_50mb_upload_streams_through(client, gateway, login):
    token = login()["access"]
    before = gateway.memory()
    digest = hashlib.sha256()

    def body():
        block = bytes(range(256)) * 4096  # 1 MiB
        for _ in range(50):
            digest.update(block)
            yield block

    response = client.post(
        "/api/echo/upload",
        content=body(),
        headers={**bearer(token), "Content-Length": str(FIFTY_MB)},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"size": FIFTY_MB, "sha256": digest.hexdigest()}
    after = gateway.memory()
    growth = after["VmHWM"] - before["VmHWM"]
    assert growth < 16 * 1024 * 1024, f"gateway peak memory grew by {growth / 2**20:.1f} MiB"


def test_50mb_download_streams_through(client, gateway, login):
    token = login()["access"]
    before = gateway.memory()
    size = 0
    with client.stream(
        "GET", f"/api/echo/download?size={FIFTY_MB}", headers=bearer(token)
    ) as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            size += len(chunk)
    assert size == FIFTY_MB
    growth = gateway.memory()["VmHWM"] - before["VmHWM"]
    assert growth < 16 * 1024 * 1024, f"gateway peak memory grew by {growth / 2**20:.1f} MiB"


@pytest.mark.parametrize("seconds", [3])
def test_upstream_timeout_is_504(client, login, seconds):
    token = login()["access"]
    started = time.perf_counter()
    response = client.get(f"/api/echo/slow?seconds={seconds}", headers=bearer(token))
    elapsed = time.perf_counter() - started
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "upstream_timeout"
    assert elapsed < seconds  # the route's read timeout (2 s), not the upstream's pace


# --- Redis down ---------------------------------------------------------------------------


def test_without_redis_the_gateway_works_on(gateway_without_redis, login):
    token = login()["access"]
    with httpx.Client(base_url=gateway_without_redis.url, timeout=10) as http:
        public = http.get("/api/echo/public/x")
        assert public.status_code == 200
        assert "x-ratelimit-limit" not in public.headers  # not counted, so not claimed
        private = http.get("/api/echo/private", headers=bearer(token))
        assert private.status_code == 200, private.text  # asked auth_service directly
        assert private.json()["user_id"] is not None
        assert http.get("/api/echo/private", headers=bearer("a.b.c")).status_code == 401
        readiness = http.get("/readyz")  # reported, but the gateway stays in service
        assert readiness.status_code == 200 and readiness.json()["status"] == "degraded"
        metrics = httpx.get(gateway_without_redis.metrics_url).text
        assert 'gateway_redis_errors_total{use="token_cache"}' in metrics
        # limits still hold, counted in the gateway process itself (5 a minute here)
        statuses = [http.get("/api/echo/limited/x").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429], statuses
