"""Real processes for the gateway's tests: auth_service (gunicorn, its own fresh
database), two echo upstreams and two gateway processes (uvicorn), all on loopback,
sharing the tests' Redis database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
import pytest
import redis

from rentezy_common.platform import SERVICES, TEST_REDIS_DB_OFFSET
from rentezy_common.testing.processes import (
    ServiceProcess,
    free_port,
    fresh_database,
    migrate,
)

HERE = Path(__file__).resolve().parent
REDIS_URL = (
    f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '6379')}/"
    f"{SERVICES['gateway'].redis_db + TEST_REDIS_DB_OFFSET}"
)
TOKEN_CACHE_SECONDS = 2
# Known to the tests so they can forge tokens (expired, tampered) the way an attacker
# holding a leaked secret could; still a dev value.
AUTH_JWT_SECRET = "dev-insecure-gateway-tests-jwt-secret"
BREAKER_RESET_MS = 1000


@pytest.fixture(scope="session", autouse=True)
def clean_redis():
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("gw:*", count=1000):
        client.delete(key)
    yield client


@pytest.fixture(scope="session")
def auth_server():
    database = fresh_database("rentezy_auth_gwtest")
    env = {"DATABASE_URL": database, "AUTH_JWT_SECRET": AUTH_JWT_SECRET}
    migrate("auth_service", env=env)
    with ServiceProcess.gunicorn("auth_service", env=env, name="auth-gwtest") as server:
        yield server


def _echo(name: str, port: int | None = None) -> ServiceProcess:
    port = port or free_port()
    return ServiceProcess.python(
        "api_gateway",
        "-m", "uvicorn", "tests.echo_upstream:app",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        port=port,
        env={"ECHO_NAME": name},
        name=f"{name}-upstream",
    )  # fmt: skip


@pytest.fixture(scope="session")
def echo_server():
    with _echo("echo") as server:
        yield server


@pytest.fixture(scope="session")
def flaky_port():
    return free_port()


@pytest.fixture
def flaky_server(flaky_port):
    """An upstream a test may kill and bring back (on the same port)."""
    server = _echo("flaky", flaky_port)
    server.start()
    yield server
    server.stop()


def _gateway(auth_server, echo_server, flaky_port, name, **overrides) -> ServiceProcess:
    metrics_port = free_port()
    env = {
        "GATEWAY_ROUTES_FILE": str(HERE / "routes.test.toml"),
        "UPSTREAM_AUTH_URL": auth_server.url,
        "UPSTREAM_ECHO_URL": echo_server.url,
        "UPSTREAM_FLAKY_URL": f"http://127.0.0.1:{flaky_port}",
        "GATEWAY_TOKEN_CACHE_SECONDS": str(TOKEN_CACHE_SECONDS),
        "GATEWAY_BREAKER_FAILURES": "3",
        "GATEWAY_BREAKER_RESET_MS": str(BREAKER_RESET_MS),
        "GATEWAY_WORKERS": "1",
        "GATEWAY_CORS_ORIGINS": "http://app.example",
        "REDIS_URL": REDIS_URL,
        "GATEWAY_METRICS_PORT": str(metrics_port),
        # Every test client is 127.0.0.1: the invalid-token guard has its own test.
        "GATEWAY_INVALID_TOKEN_LIMIT": "10000/minute",
        # A secret segment to mask in the access log (test_edge.py), besides the feeds'.
        "LOG_REDACTED_PATHS": "/api/visits/feeds/{secret},/api/echo/public/feeds/{secret}",
        **overrides,
    }
    server = ServiceProcess.python("api_gateway", "-m", "edge.serve", env=env, name=name)
    server.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    return server


@pytest.fixture(scope="session")
def gateway(auth_server, echo_server, flaky_port):
    with _gateway(auth_server, echo_server, flaky_port, "gateway-a") as server:
        yield server


@pytest.fixture(scope="session")
def gateway2(auth_server, echo_server, flaky_port):
    with _gateway(auth_server, echo_server, flaky_port, "gateway-b") as server:
        yield server


@pytest.fixture(scope="module")
def gateway_without_redis(auth_server, echo_server, flaky_port):
    """A gateway whose Redis is unreachable (nothing listens on port 1)."""
    with _gateway(
        auth_server, echo_server, flaky_port, "gateway-no-redis",
        REDIS_URL="redis://127.0.0.1:1/0", GATEWAY_REDIS_TIMEOUT_MS="200",
    ) as server:  # fmt: skip
        yield server


@pytest.fixture
def client(gateway):
    with httpx.Client(base_url=gateway.url, timeout=30) as http:
        yield http


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@Example.com"


PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def register(client):
    def _register(role="tenant", email=None, password=PASSWORD):
        email = email or new_email()
        response = client.post(
            "/api/auth/register",
            json={"email": email, "password": password, "full_name": "Test User", "role": role},
        )
        assert response.status_code == 201, response.text
        return email

    return _register


@pytest.fixture
def login(client, register):
    """Register a user and log in: returns the login body {access, refresh, user}."""

    def _login(role="tenant"):
        email = register(role)
        response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        body = response.json()
        body["email"] = email
        return body

    return _login


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
