"""Web app sessions (edge/session.py) against the real auth_service: the refresh token
lives only in an httpOnly cookie, rotation, two tabs refreshing at once, logout, and the
CSRF rules of these cookie-authenticated endpoints."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import PASSWORD, bearer

COOKIE = "rentezy_refresh"


@pytest.fixture
def origin(gateway):
    return {"Origin": gateway.url, "X-CSRF": "1"}


def cookie_of(response: httpx.Response) -> tuple[str, str]:
    """(value, the whole Set-Cookie header) of the session cookie."""
    header = next(v for k, v in response.headers.multi_items() if k == "set-cookie")
    name, _, rest = header.partition("=")
    assert name == COOKIE
    return rest.split(";")[0], header


def session_login(client, origin, email) -> httpx.Response:
    return client.post(
        "/api/session/login", json={"email": email, "password": PASSWORD}, headers=origin
    )


def test_login_sets_an_httponly_cookie_and_returns_only_the_access_token(client, register, origin):
    email = register()
    response = session_login(client, origin, email)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access", "token_type", "access_expires_in", "user"}
    assert body["user"]["email"] == email.lower()
    assert response.headers["cache-control"] == "no-store"
    value, header = cookie_of(response)
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "SameSite=Strict" in header and "Path=/api/session/" in header
    assert "Secure" not in header  # RENTEZY_ENV=test: plain http on loopback
    assert len(value) > 30
    me = client.get("/api/auth/me", headers=bearer(body["access"]))
    assert me.status_code == 200 and me.json()["email"] == email.lower()


def test_bad_credentials_keep_auths_error_shape(client, register, origin):
    email = register()
    response = client.post(
        "/api/session/login", json={"email": email, "password": "wrong-one-1"}, headers=origin
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert "set-cookie" not in response.headers
    bad = client.post("/api/session/login", content=b"not json", headers=origin)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "parse_error"


def test_refresh_rotates_the_cookie_and_returns_the_user(client, register, origin):
    email = register()
    first, _ = cookie_of(session_login(client, origin, email))

    response = client.post(
        "/api/session/refresh", headers={**origin, "Cookie": f"{COOKIE}={first}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["email"] == email.lower() and body["access"]
    second, _ = cookie_of(response)
    assert second != first
    assert client.get("/api/auth/me", headers=bearer(body["access"])).status_code == 200

    # the rotated one, much later than the grace period would allow, is theft: here it
    # is still within the grace (a duplicate) and the successor was never used
    again = client.post("/api/session/refresh", headers={**origin, "Cookie": f"{COOKIE}={second}"})
    assert again.status_code == 200


def test_two_tabs_refreshing_at_once_stay_signed_in(client, register, origin, gateway):
    email = register()
    cookie, _ = cookie_of(session_login(client, origin, email))

    def refresh(_):
        with httpx.Client(base_url=gateway.url, timeout=30) as tab:
            return tab.post(
                "/api/session/refresh", headers={**origin, "Cookie": f"{COOKIE}={cookie}"}
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(refresh, range(2)))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    for answer in answers:
        newer, _ = cookie_of(answer)
        follow = client.post(
            "/api/session/refresh", headers={**origin, "Cookie": f"{COOKIE}={newer}"}
        )
        assert follow.status_code == 200, follow.text


def test_refresh_without_a_cookie_or_with_a_dead_one(client, origin):
    none = client.post("/api/session/refresh", headers=origin)
    assert none.status_code == 401 and none.json()["error"]["code"] == "no_session"
    dead = client.post("/api/session/refresh", headers={**origin, "Cookie": f"{COOKIE}=forged"})
    assert dead.status_code == 401
    assert dead.json()["error"]["code"] == "invalid_refresh_token"
    _, header = cookie_of(dead)
    assert "Max-Age=0" in header  # forgotten


@pytest.mark.parametrize("with_bearer", [True, False])
def test_logout_ends_the_session_and_clears_the_cookie(client, register, origin, with_bearer):
    email = register()
    login = session_login(client, origin, email)
    cookie, _ = cookie_of(login)
    headers = {**origin, "Cookie": f"{COOKIE}={cookie}"}
    if with_bearer:
        headers.update(bearer(login.json()["access"]))

    response = client.post("/api/session/logout", headers=headers)
    assert response.status_code == 204
    _, header = cookie_of(response)
    assert "Max-Age=0" in header
    # the session is over: its refresh token (and any rotated from it) is refused
    after = client.post("/api/session/refresh", headers={**origin, "Cookie": f"{COOKIE}={cookie}"})
    assert after.status_code == 401
    # logging out again, or without any session, is fine
    assert client.post("/api/session/logout", headers=origin).status_code == 204


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no X-CSRF, no origin
        {"X-CSRF": "1"},  # no Origin nor Sec-Fetch-Site: not a browser page of ours
        {"X-CSRF": "1", "Origin": "http://evil.example"},
        {"X-CSRF": "1", "Origin": "null"},
        {"X-CSRF": "1", "Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
        {"X-CSRF": "1", "Sec-Fetch-Site": "same-site", "Origin": "http://x.127.0.0.1"},
        {"Sec-Fetch-Site": "same-origin"},  # no custom header: a plain form post
    ],
)
def test_cross_site_requests_are_refused(client, register, headers):
    email = register()
    response = client.post(
        "/api/session/login", json={"email": email, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert "set-cookie" not in response.headers


def test_same_origin_by_fetch_metadata_alone(client, register):
    email = register()
    response = client.post(
        "/api/session/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRF": "1", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 200


def test_password_change_keeps_this_browser_signed_in_through_a_new_cookie(
    client, register, origin
):
    email = register()
    login = session_login(client, origin, email)
    old_cookie, _ = cookie_of(login)
    headers = {**origin, **bearer(login.json()["access"])}

    wrong = client.post(
        "/api/session/password",
        json={"current_password": "not-it-at-all", "new_password": "another-Long-pass-7"},
        headers=headers,
    )
    assert wrong.status_code == 400
    assert "current_password" in wrong.json()["error"]["details"]

    response = client.post(
        "/api/session/password",
        json={"current_password": PASSWORD, "new_password": "another-Long-pass-7"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"access", "token_type", "access_expires_in", "user"}
    new_cookie, _ = cookie_of(response)
    # every older session is over, the new cookie works
    old = client.post(
        "/api/session/refresh", headers={**origin, "Cookie": f"{COOKIE}={old_cookie}"}
    )
    assert old.status_code == 401
    new = client.post(
        "/api/session/refresh", headers={**origin, "Cookie": f"{COOKIE}={new_cookie}"}
    )
    assert new.status_code == 200
    anonymous = client.post(
        "/api/session/password",
        json={"current_password": PASSWORD, "new_password": "x"},
        headers=origin,
    )
    assert anonymous.status_code == 401


def test_other_methods_and_paths(client, origin):
    assert client.get("/api/session/login").status_code == 405
    assert client.post("/api/session/elsewhere", headers=origin).status_code == 404
    # the bearer API for other clients is unchanged
    assert client.post("/api/auth/refresh", json={"refresh": "x"}).status_code == 401
