"""The gateway against slow and odd clients, over raw sockets where a normal HTTP client
would not misbehave: slow bodies and headers, chunked bodies, oversized request lines and
headers, garbage, too many connections, bursts of invalid tokens. Each test says what it
sent and checks what a well-behaved client sees meanwhile."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from tests.conftest import PASSWORD, _gateway, bearer

BODY_TIMEOUT = 2
HEADER_TIMEOUT = 2
CONNECTIONS_PER_IP = 6
INVALID_TOKENS = 5  # per minute per IP


@pytest.fixture(scope="module")
def guarded(auth_server, echo_server, flaky_port):
    """A gateway with small limits, so the tests can reach them quickly."""
    with _gateway(
        auth_server, echo_server, flaky_port, "gateway-guarded",
        GATEWAY_BODY_TIMEOUT=str(BODY_TIMEOUT),
        GATEWAY_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        GATEWAY_MAX_CONNECTIONS_PER_IP=str(CONNECTIONS_PER_IP),
        GATEWAY_INVALID_TOKEN_LIMIT=f"{INVALID_TOKENS}/minute",
    ) as server:  # fmt: skip
        yield server


def raw(server, data: bytes, *, read_timeout: float = 10) -> tuple[int, dict, bytes]:
    """Send bytes on a fresh connection; return (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as sock:
        sock.sendall(data)
        return read_response(sock)


def read_response(sock) -> tuple[int, dict, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before an answer: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    length = int(headers.get("content-length", ["0"])[0])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def error_code(body: bytes) -> str:
    return json.loads(body)["error"]["code"]


# --- slow clients --------------------------------------------------------------------------


def test_slow_body_clients_do_not_lock_anyone_out_of_login(guarded, register):
    """Twelve clients declare a 1,000-byte login body and send a byte a second; the
    gateway answers them 408 once they fall under the minimum rate, and meanwhile an
    ordinary login is served at once (the service never sees the slow bodies)."""
    email = register()
    answers: list[int | str] = []

    def slow_client() -> None:
        try:
            with socket.create_connection(("127.0.0.1", guarded.port), timeout=30) as sock:
                sock.sendall(
                    b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                )
                sock.settimeout(1.2)
                for _ in range(30):
                    try:
                        sock.sendall(b" ")
                        status, _, body = read_response(sock)
                        answers.append(status if error_code(body) == "request_timeout" else body)
                        return
                    except TimeoutError:
                        continue
        except OSError as exc:
            answers.append(repr(exc))

    # connections per IP are limited in this gateway: six slow clients from one address
    # is the most it admits, the rest of the twelve are refused at once (tested below).
    threads = [threading.Thread(target=slow_client) for _ in range(CONNECTIONS_PER_IP - 1)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    with httpx.Client(base_url=guarded.url, timeout=10) as http:
        started = time.perf_counter()
        response = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert elapsed < 1.0, f"a normal login waited {elapsed:.2f} s behind slow clients"
    for thread in threads:
        thread.join(30)
    assert answers == [408] * (CONNECTIONS_PER_IP - 1), answers


def test_slow_body_gets_408_within_the_grace_period(guarded):
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", guarded.port), timeout=15) as sock:
        sock.sendall(b"POST /api/echo/public/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
        status, headers, body = read_response(sock)
    elapsed = time.perf_counter() - started
    assert status == 408 and error_code(body) == "request_timeout"
    assert headers["connection"] == ["close"]
    assert BODY_TIMEOUT - 0.5 < elapsed < BODY_TIMEOUT + 2, elapsed


def test_slow_headers_get_408(guarded):
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", guarded.port), timeout=15) as sock:
        sock.sendall(b"GET /api/echo/public/x HTTP/1.1\r\nHost: x\r\n")  # never finished
        status, _, body = read_response(sock)
    elapsed = time.perf_counter() - started
    assert status == 408 and error_code(body) == "request_timeout"
    assert HEADER_TIMEOUT - 0.5 < elapsed < HEADER_TIMEOUT + 2, elapsed


def test_idle_connection_is_closed_after_the_header_timeout(guarded):
    with socket.create_connection(("127.0.0.1", guarded.port), timeout=15) as sock:
        started = time.perf_counter()
        status, _, _ = read_response(sock)  # sent nothing at all
    assert status == 408
    assert time.perf_counter() - started < HEADER_TIMEOUT + 2


# --- framing ---------------------------------------------------------------------------------


def test_chunked_body_reaches_the_service_whole_with_a_length(client):
    def chunks():
        yield b'{"a": '
        yield b"[1, 2, "
        yield b"3]}"

    response = client.patch("/api/echo/public/x", content=chunks())
    assert response.status_code == 200, response.text
    seen = response.json()
    assert json.loads(seen["body"]) == {"a": [1, 2, 3]}
    assert seen["headers"]["content-length"] == str(len(b'{"a": [1, 2, 3]}'))
    assert "transfer-encoding" not in seen["headers"]


def test_chunked_body_over_the_limit_is_413_in_the_platform_shape(guarded):
    chunk = b"x" * 65536
    request = b"POST /api/echo/public/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    request += (b"%x\r\n%s\r\n" % (len(chunk), chunk)) * 17 + b"0\r\n\r\n"  # 1.06 MiB > 1 MiB
    status, _, body = raw(guarded, request)
    assert status == 413 and error_code(body) == "payload_too_large"


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"GET /api/echo/public/" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414,
         "uri_too_long"),
        (b"GET /api/echo/public/x HTTP/1.1\r\nHost: x\r\n"
         + b"".join(b"X-Pad-%d: %s\r\n" % (i, b"v" * 4000) for i in range(10)) + b"\r\n", 431,
         "headers_too_large"),
        (b"\x16\x03\x01 not http at all\r\n\r\n", 400, "bad_request"),
        (b"GET /api/echo/public/x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400,
         "bad_request"),
    ],
    ids=["long-url", "huge-headers", "garbage", "bad-length"],
)  # fmt: skip
def test_malformed_requests_get_json_errors(guarded, request_bytes, status, code):
    got, headers, body = raw(guarded, request_bytes)
    assert got == status
    assert headers["content-type"] == ["application/json"]
    assert error_code(body) == code


def test_no_header_appears_twice(client):
    response = client.get("/api/echo/public/x")
    assert response.status_code == 200
    names = [name.lower() for name, _ in response.headers.multi_items()]
    duplicated = {name for name in names if names.count(name) > 1}
    assert not duplicated, duplicated
    assert "server" not in names  # neither uvicorn's nor the upstream's
    assert names.count("date") == 1 and names.count("x-request-id") == 1


# --- abusive clients -------------------------------------------------------------------------


def test_connections_per_ip_are_limited(guarded):
    held = [
        socket.create_connection(("127.0.0.1", guarded.port), timeout=10)
        for _ in range(CONNECTIONS_PER_IP)
    ]
    try:
        status, headers, body = raw(guarded, b"GET /api/echo/public/x HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 429 and error_code(body) == "too_many_connections"
        assert headers["retry-after"] == ["1"]
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the gateway notices the closed sockets
        if httpx.get(guarded.url + "/api/echo/public/x").status_code == 200:
            break
        time.sleep(0.1)
    else:
        pytest.fail("connections were not released")


def test_a_burst_of_invalid_tokens_gets_429_without_asking_auth(guarded, login):
    valid = login()["access"]

    def misses() -> float:
        text = httpx.get(guarded.metrics_url).text
        line = next(
            (line for line in text.splitlines()
             if line.startswith('gateway_token_cache_total{result="miss"}')),
            "x 0",
        )  # fmt: skip
        return float(line.split()[-1])

    before = misses()
    statuses = []
    with httpx.Client(base_url=guarded.url, timeout=10) as http:
        for i in range(20):
            bogus = f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx{i}.c2lnbmF0dXJl"
            statuses.append(http.get("/api/echo/private", headers=bearer(bogus)).status_code)
        refused = http.get("/api/echo/private", headers=bearer(valid))
    assert statuses[:INVALID_TOKENS] == [401] * INVALID_TOKENS
    assert set(statuses[INVALID_TOKENS:]) == {429}, statuses
    assert refused.status_code == 429  # the address is blocked for a while, not the user
    assert refused.json()["error"]["code"] == "too_many_invalid_tokens"
    assert int(refused.headers["retry-after"]) >= 1
    assert misses() - before <= INVALID_TOKENS  # auth_service was asked at most that often


def test_the_same_bogus_token_is_asked_about_once(client, gateway):
    bogus = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvbmNlIn0.c2lnbmF0dXJl"

    def misses() -> float:
        text = httpx.get(gateway.metrics_url).text
        return sum(
            float(line.split()[-1])
            for line in text.splitlines()
            if line.startswith('gateway_token_cache_total{result="miss"}')
        )

    before = misses()
    for _ in range(3):
        assert client.get("/api/echo/private", headers=bearer(bogus)).status_code == 401
    assert misses() - before == 1


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /healthz" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"NOT HTTP\r\n\r\n",
    ],
    ids=["long-request-line", "garbage"],
)
def test_a_services_own_http_errors_are_json(auth_server, request_bytes):
    """What gunicorn answers by itself, before Django sees a request, is JSON too."""
    status, headers, body = raw(auth_server, request_bytes)
    assert status == 400
    assert headers["content-type"] == ["application/json"]
    assert error_code(body) == "bad_request"
