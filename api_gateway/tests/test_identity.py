"""Identity through the gateway: real gateway and auth_service processes, real Redis and
PostgreSQL. Token forgeries are made with the auth service's (test) secret, as an
attacker who knew the format but not the secret would try, and with it, to prove that
expiry and revocation are enforced independently of the signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import httpx
import pytest

from rentezy_common.testing.processes import manage
from tests.conftest import AUTH_JWT_SECRET, PASSWORD, TOKEN_CACHE_SECONDS, bearer

REVOCATION_BOUND = TOKEN_CACHE_SECONDS + 1.5  # cache TTL plus scheduling slack


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def forge(claims: dict, *, secret: str = AUTH_JWT_SECRET, alg: str = "HS256") -> str:
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    if alg == "none":
        return f"{header}.{body}."
    mac = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(mac)}"


def wait_until_refused(client, token, path="/api/auth/me") -> float:
    """Seconds until the gateway refuses `token` (fails the test past the bound)."""
    started = time.monotonic()
    while time.monotonic() - started < REVOCATION_BOUND + 2:
        if client.get(path, headers=bearer(token)).status_code == 401:
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"token still accepted after {REVOCATION_BOUND + 2:.1f}s")


def test_register_login_me_and_update(client, register):
    email = register("landlord")
    response = client.post("/api/auth/login", json={"email": email.upper(), "password": PASSWORD})
    assert response.status_code == 200, response.text
    session = response.json()
    assert session["user"]["email"] == email.lower() and session["user"]["role"] == "landlord"
    me = client.get("/api/auth/me", headers=bearer(session["access"]))
    assert me.status_code == 200 and me.json()["email"] == email.lower()
    patched = client.patch(
        "/api/auth/me", json={"full_name": "Renamed Person"}, headers=bearer(session["access"])
    )
    assert patched.status_code == 200 and patched.json()["full_name"] == "Renamed Person"


def test_registration_errors_are_json_400s(client, register):
    email = register()
    again = client.post(
        "/api/auth/register",
        json={"email": email.upper(), "password": PASSWORD, "full_name": "X", "role": "tenant"},
    )
    assert again.status_code in (400, 409) and "error" in again.json()
    admin = client.post(
        "/api/auth/register",
        json={"email": f"a{uuid.uuid4().hex[:8]}@x.io", "password": PASSWORD,
              "full_name": "X", "role": "admin"},
    )  # fmt: skip
    assert admin.status_code == 400
    weak = client.post(
        "/api/auth/register",
        json={"email": f"w{uuid.uuid4().hex[:8]}@x.io", "password": "123",
              "full_name": "X", "role": "tenant"},
    )  # fmt: skip
    assert weak.status_code == 400 and "password" in json.dumps(weak.json()["error"])


def test_refresh_rotates_and_reuse_revokes_the_family(client, login):
    session = login()
    first = client.post("/api/auth/refresh", json={"refresh": session["refresh"]})
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh"] != session["refresh"]
    assert client.get("/api/auth/me", headers=bearer(rotated["access"])).status_code == 200
    newest = client.post("/api/auth/refresh", json={"refresh": rotated["refresh"]}).json()
    # The first refresh token is presented again after the chain moved on (not a
    # duplicate within auth's grace period): theft is assumed, the family dies.
    reuse = client.post("/api/auth/refresh", json={"refresh": session["refresh"]})
    assert reuse.status_code == 401
    assert client.post("/api/auth/refresh", json={"refresh": newest["refresh"]}).status_code == 401
    wait_until_refused(client, newest["access"])


def test_logout_revokes_within_the_cache_bound(client, login):
    session = login()
    token = session["access"]
    assert client.get("/api/auth/me", headers=bearer(token)).status_code == 200  # now cached
    assert client.post("/api/auth/logout", headers=bearer(token)).status_code == 204
    assert wait_until_refused(client, token) <= REVOCATION_BOUND
    assert client.post("/api/auth/refresh", json={"refresh": session["refresh"]}).status_code == 401


def test_password_change_revokes_every_session(client, register):
    email = register()
    sessions = [
        client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()
        for _ in range(2)
    ]
    for s in sessions:
        assert client.get("/api/auth/me", headers=bearer(s["access"])).status_code == 200
    changed = client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "another-Strong-pass-77"},
        headers=bearer(sessions[0]["access"]),
    )
    assert changed.status_code == 200, changed.text
    fresh = changed.json()
    for s in sessions:
        assert wait_until_refused(client, s["access"]) <= REVOCATION_BOUND
        assert client.post("/api/auth/refresh", json={"refresh": s["refresh"]}).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(fresh["access"])).status_code == 200
    relogin = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert relogin.status_code == 401


def test_forged_and_expired_tokens_are_refused(client, login):
    session = login()
    claims = claims_of(session["access"])
    now = int(time.time())
    cases = {
        "expired": forge({**claims, "iat": now - 3600, "exp": now - 60}),
        "tampered": ".".join(
            [
                session["access"].split(".")[0],
                b64(json.dumps({**claims, "role": "admin"}).encode()),
                session["access"].split(".")[2],
            ]
        ),
        "wrong secret": forge({**claims, "role": "admin"}, secret="dev-insecure-guess"),
        "alg none": forge({**claims, "role": "admin"}, alg="none"),
        "unknown session": forge({**claims, "sid": str(uuid.uuid4())}),
    }
    for name, token in cases.items():
        response = client.get("/api/auth/me", headers=bearer(token))
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] == "invalid_token", name
    # the genuine token still works, and the forged admin role never reached a service
    me = client.get("/api/auth/me", headers=bearer(session["access"]))
    assert me.status_code == 200 and me.json()["role"] == "tenant"


def test_client_sent_identity_headers_are_ignored(client, login):
    session = login()
    me = client.get(
        "/api/auth/me",
        headers={**bearer(session["access"]), "X-Rentezy-User-Id": "1",
                 "X-Rentezy-User-Role": "admin", "X-User-Id": "1"},
    )  # fmt: skip
    assert me.status_code == 200 and me.json()["id"] == session["user"]["id"]


def test_services_refuse_requests_that_bypass_the_gateway(auth_server, login):
    session = login()
    with httpx.Client(base_url=auth_server.url, timeout=10) as direct:
        for path in ("/api/auth/me", "/internal/introspect"):
            response = direct.request(
                "GET" if path.endswith("me") else "POST",
                path,
                headers={**bearer(session["access"]), "X-Rentezy-User-Id": "1",
                         "X-Rentezy-User-Role": "admin"},
                json={"token": session["access"]},
            )  # fmt: skip
            assert response.status_code == 401, path
            assert response.json()["error"]["code"] == "unsigned_request"


def test_introspection_is_not_routed(client, login):
    session = login()
    response = client.post(
        "/internal/introspect", json={"token": session["access"]}, headers=bearer(session["access"])
    )
    assert response.status_code == 404


def test_deactivated_user_is_locked_out(client, auth_server, login):
    admin_email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    manage(
        "auth_service",
        "createsuperuser",
        "--noinput",
        "--email",
        admin_email,
        env={
            "DATABASE_URL": auth_server.env["DATABASE_URL"],
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
            "DJANGO_SUPERUSER_FULL_NAME": "Admin",
        },
    )
    admin = client.post("/api/auth/login", json={"email": admin_email, "password": PASSWORD})
    assert admin.status_code == 200 and admin.json()["user"]["role"] == "admin"
    victim = login()
    assert client.get("/api/auth/me", headers=bearer(victim["access"])).status_code == 200
    found = client.get(
        "/api/auth/users",
        params={"search": victim["email"]},
        headers=bearer(admin.json()["access"]),
    )
    assert found.status_code == 200 and found.json()["count"] == 1
    denied = client.get("/api/auth/users", headers=bearer(victim["access"]))
    assert denied.status_code == 403
    deactivated = client.post(
        f"/api/auth/users/{victim['user']['id']}/deactivate",
        headers=bearer(admin.json()["access"]),
    )
    assert deactivated.status_code == 200, deactivated.text
    assert wait_until_refused(client, victim["access"]) <= REVOCATION_BOUND
    login_again = client.post(
        "/api/auth/login", json={"email": victim["email"], "password": PASSWORD}
    )
    assert login_again.status_code == 401


def test_token_answers_are_served_from_the_cache(client, login, gateway):
    session = login()

    def counts():
        text = httpx.get(gateway.metrics_url).text
        return {
            result: float(
                next(
                    (line.split()[-1] for line in text.splitlines()
                     if line.startswith(f'gateway_token_cache_total{{result="{result}"}}')),
                    0,
                )
            )
            for result in ("hit", "miss")
        }  # fmt: skip

    before = counts()
    for _ in range(20):
        assert client.get("/api/auth/me", headers=bearer(session["access"])).status_code == 200
    after = counts()
    # one miss per cache lifetime (2 s here): the loop may straddle one expiry
    assert after["miss"] - before["miss"] <= 2
    assert after["hit"] - before["hit"] >= 18


def test_the_callers_session_is_signed_through(client, login):
    """The services learn the session of the token (its `sid`), so a real-time service
    can close the sockets of a session that ended."""
    session = login()
    payload = session["access"].split(".")[1]
    sid = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"]
    for _ in range(2):  # introspected, then from the cache
        seen = client.get("/api/echo/private", headers=bearer(session["access"])).json()
        assert seen["session_id"] == sid
        assert seen["headers"]["x-rentezy-session-id"] == sid
    forged = client.get(
        "/api/echo/public/x", headers={"X-Rentezy-Session-Id": "forged-by-the-client"}
    ).json()
    assert forged["session_id"] is None  # anonymous: the client's header was dropped
