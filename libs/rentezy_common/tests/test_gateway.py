"""Gateway signatures, verified by the real middleware with nonces in the real Redis."""

import time

import pytest
from django.conf import settings
from django.test import Client

from rentezy_common.gateway import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    HEADER_USER_ID,
    sign_request,
)
from rentezy_common.testing.clients import GatewayClient

pytestmark = pytest.mark.django_db


def signed(path="/api/whoami", *, method="GET", query="", user_id="u-1", role="tenant", **kw):
    return sign_request(
        secret=settings.GATEWAY_SIGNING_SECRETS[0],
        method=method,
        path=path,
        query=query,
        user_id=user_id,
        role=role,
        request_id=kw.pop("request_id", "req-1"),
        **kw,
    )


def test_signed_request_exposes_identity_to_views():
    client = GatewayClient(user_id="42", role="landlord")
    response = client.get("/api/whoami")
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == "42"
    assert body["role"] == "landlord"
    assert body["request_id"] == client.last_signed_headers["X-Request-ID"]
    assert response["X-Request-ID"] == body["request_id"]


def test_unsigned_request_is_refused():
    response = Client().get("/api/whoami")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unsigned_request"


def test_client_sent_identity_without_signature_is_refused():
    response = Client().get(
        "/api/whoami", headers={HEADER_USER_ID: "1", "X-Rentezy-User-Role": "admin"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h: h.update({HEADER_USER_ID: "someone-else"}),
        lambda h: h.update({"X-Rentezy-User-Role": "admin"}),
        lambda h: h.update({HEADER_SIGNATURE: h[HEADER_SIGNATURE][:-2] + "00"}),
        lambda h: h.update({HEADER_TIMESTAMP: str(int(h[HEADER_TIMESTAMP]) + 1)}),
        lambda h: h.update({"X-Request-ID": "another-request"}),
    ],
    ids=["user", "role", "signature", "timestamp", "request-id"],
)
def test_tampered_request_is_refused(tamper):
    headers = signed()
    tamper(headers)
    response = Client().get("/api/whoami", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"


def test_signature_covers_path_and_query():
    headers = signed("/api/whoami", query="page=1")
    assert Client().get("/api/whoami?page=2", headers=headers).status_code == 401
    assert (
        Client()
        .get("/api/whoami?page=1", headers=signed("/api/whoami", query="page=1"))
        .status_code
        == 200
    )


def test_signature_covers_method():
    headers = signed("/api/public", method="GET", user_id=None, role=None)
    assert Client().post("/api/public", headers=headers).status_code == 401


def test_signature_with_wrong_secret_is_refused():
    headers = sign_request(
        secret="not-the-secret",
        method="GET",
        path="/api/whoami",
        request_id="r",
        user_id="1",
        role="tenant",
    )
    assert (
        Client().get("/api/whoami", headers=headers).json()["error"]["code"] == "invalid_signature"
    )


def test_replayed_request_is_refused():
    headers = signed()
    first = Client().get("/api/whoami", headers=headers)
    replay = Client().get("/api/whoami", headers=headers)
    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "replayed_request"


def test_stale_request_is_refused():
    window = settings.GATEWAY_SIGNATURE_MAX_AGE
    headers = signed(timestamp=int(time.time()) - window - 5)
    response = Client().get("/api/whoami", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "stale_request"


def test_future_timestamp_beyond_window_is_refused():
    headers = signed(timestamp=int(time.time()) + settings.GATEWAY_SIGNATURE_MAX_AGE + 5)
    assert Client().get("/api/whoami", headers=headers).json()["error"]["code"] == "stale_request"


def test_anonymous_signed_request_reaches_public_views_only():
    anonymous = GatewayClient()
    assert anonymous.get("/api/public").json() == {"authenticated": False}
    response = anonymous.get("/api/whoami")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_role_permission():
    assert GatewayClient(user_id="1", role="tenant").get("/api/landlords-only").status_code == 403
    assert GatewayClient(user_id="2", role="landlord").get("/api/landlords-only").status_code == 200


def test_unknown_role_is_refused():
    headers = signed(role="superuser")
    assert Client().get("/api/whoami", headers=headers).status_code == 401


def test_rotated_secrets_still_verify(settings):
    old = settings.GATEWAY_SIGNING_SECRETS[0]
    settings.GATEWAY_SIGNING_SECRETS = ["new-secret", old]
    headers = sign_request(
        secret=old, method="GET", path="/api/whoami", request_id="r", user_id="1", role="tenant"
    )
    assert Client().get("/api/whoami", headers=headers).status_code == 200


def test_health_paths_need_no_signature():
    assert Client().get("/healthz").status_code == 200


def test_percent_encoded_path_verifies():
    headers = signed("/api/who%61mi")  # the gateway forwards the raw path
    assert Client().get("/api/whoami", headers=headers).status_code == 200


def test_nonce_is_single_use_across_different_requests():
    headers = signed(nonce="fixed-nonce-for-test-" + str(time.time()))
    assert Client().get("/api/whoami", headers=headers).status_code == 200
    assert Client().get("/api/whoami", headers=headers).status_code == 401
    assert HEADER_NONCE in headers


# --- Redis down: the nonce store works on in this process (NonceStore) ---------------------


@pytest.fixture
def nonce_store_down(settings):
    """The nonce store's Redis unreachable (nothing listens on port 1), in a fresh store."""
    from rentezy_common import gateway

    original = gateway.NONCES
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    gateway.NONCES = gateway.NonceStore()
    yield gateway.NONCES
    gateway.NONCES = original


def test_with_redis_down_signed_requests_are_still_served(nonce_store_down):
    started = time.perf_counter()
    for _ in range(20):
        assert GatewayClient(user_id="7", role="tenant").get("/api/whoami").status_code == 200
    # one failed Redis call, then the per-process store for a second: no per-request wait
    assert time.perf_counter() - started < 2.0
    assert nonce_store_down.guard.degraded


def test_with_redis_down_a_replay_to_the_same_process_is_refused(nonce_store_down):
    headers = signed(nonce="degraded-replay-" + str(time.time()))
    assert Client().get("/api/whoami", headers=headers).status_code == 200
    replay = Client().get("/api/whoami", headers=headers)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "replayed_request"


def test_with_redis_down_the_signature_window_shrinks(nonce_store_down, settings):
    old = int(time.time()) - settings.GATEWAY_SIGNATURE_DEGRADED_MAX_AGE - 2
    response = Client().get("/api/whoami", headers=signed(timestamp=old))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "stale_request"


def test_when_redis_returns_nonces_are_shared_again(nonce_store_down, settings):
    from rentezy_common import gateway

    GatewayClient(user_id="7", role="tenant").get("/api/whoami")
    assert nonce_store_down.guard.degraded
    settings.REDIS_URL = settings.CACHES["default"]["LOCATION"]  # the real one
    nonce_store_down._redis = None  # a new client for the restored address
    time.sleep(nonce_store_down.guard.retry_after)
    headers = signed(nonce="after-recovery-" + str(time.time()))
    assert Client().get("/api/whoami", headers=headers).status_code == 200
    assert not nonce_store_down.guard.degraded
    # the nonce is in Redis now: another process (a fresh store) refuses the replay
    gateway.NONCES = gateway.NonceStore()
    assert Client().get("/api/whoami", headers=headers).status_code == 401


# --- the session id (signature v2) ---------------------------------------------------------


def test_the_session_id_is_signed_and_reaches_the_view():
    from rentezy_common.gateway import HEADER_SESSION, Identity, verify_signature

    headers = signed(session_id="s-123")
    assert headers[HEADER_SESSION] == "s-123" and headers[HEADER_SIGNATURE].startswith("v2=")
    identity = verify_signature(
        secrets_=settings.GATEWAY_SIGNING_SECRETS, method="GET", path="/api/whoami", query="",
        headers=headers, max_age=30,
    )  # fmt: skip
    assert identity == Identity("u-1", "tenant", "req-1", session_id="s-123")
    forged = {**signed(session_id="s-123"), HEADER_SESSION: "s-other"}
    assert Client().get("/api/whoami", headers=forged).status_code == 401


def test_a_v1_signature_without_a_session_still_verifies():
    """A gateway not yet upgraded signs v1 (no session id): services accept it."""
    import hmac as _hmac

    from rentezy_common.gateway import canonical_message

    ts, nonce = str(int(time.time())), "v1-nonce-" + str(time.time())
    message = canonical_message(
        method="GET", path="/api/whoami", query="", user_id="9", role="tenant",
        request_id="r-v1", timestamp=ts, nonce=nonce, version="v1",
    )  # fmt: skip
    mac = _hmac.digest(settings.GATEWAY_SIGNING_SECRETS[0].encode(), message, "sha256").hex()
    headers = {
        HEADER_USER_ID: "9", "X-Rentezy-User-Role": "tenant", "X-Request-ID": "r-v1",
        HEADER_TIMESTAMP: ts, HEADER_NONCE: nonce, HEADER_SIGNATURE: f"v1={mac}",
    }  # fmt: skip
    response = Client().get("/api/whoami", headers=headers)
    assert response.status_code == 200 and response.json()["user_id"] == "9"
