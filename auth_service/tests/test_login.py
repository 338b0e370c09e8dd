import pytest
from accounts.models import User
from accounts.services import user_deactivate
from django.test import override_settings

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_returns_tokens_and_the_user(user, login, introspect):
    response = login(user.email.upper())  # any case

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["user"]["id"] == str(user.pk)
    assert body["user"]["email"] == user.email
    assert body["token_type"] == "Bearer"
    assert body["access_expires_in"] == 900
    assert body["refresh_expires_in"] == 30 * 24 * 3600
    assert body["access"] != body["refresh"]
    assert introspect(body["access"])["active"] is True
    user.refresh_from_db()
    assert user.last_login is not None


def _invalid(response):
    assert response.status_code == 401
    return response.json()


def test_unknown_email_and_wrong_password_look_the_same(user, login):
    wrong_password = _invalid(login(user.email, "not-the-password"))
    unknown_email = _invalid(login("nobody@example.com", PASSWORD))

    assert wrong_password == unknown_email
    assert wrong_password["error"]["code"] == "invalid_credentials"


def test_inactive_user_cannot_log_in_and_gets_the_same_answer(user, login, admin_user):
    user_deactivate(user_id=user.pk, actor_id=admin_user.pk)

    body = _invalid(login(user.email))
    assert body == _invalid(login("nobody@example.com"))


def test_login_validates_its_input(anon):
    response = anon.post("/api/auth/login", {"email": "a@example.com"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]


def test_unknown_email_still_runs_the_password_hasher(monkeypatch, login):
    # Timing must not reveal whether the email exists: the hasher runs either way.
    calls = []
    original = User.set_password

    def spy(self, raw):
        calls.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "set_password", spy)
    login("nobody@example.com", "some-guess")
    assert calls == ["some-guess"]


def _lock_out(login, email):
    for attempt in range(5):
        response = login(email, f"wrong-{attempt}")
        assert response.status_code == 401, (attempt, response.json())


@pytest.mark.parametrize("registered", [True, False])
def test_five_failures_lock_the_email(registered, user, login):
    email = user.email if registered else "ghost@example.com"
    _lock_out(login, email)

    response = login(email, PASSWORD)  # even the right password is refused now
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    # Other accounts are not affected.
    assert login("someone-else@example.com", "x").status_code == 401


def test_lockout_body_is_identical_for_real_and_unknown_emails(user, login):
    _lock_out(login, user.email)
    _lock_out(login, "ghost@example.com")

    real = login(user.email)
    unknown = login("ghost@example.com")
    assert (real.status_code, unknown.status_code) == (429, 429)
    assert real.json() == unknown.json()
    assert abs(int(real["Retry-After"]) - int(unknown["Retry-After"])) <= 1


def test_lockout_counts_the_normalised_email(user, login):
    for variant in (
        user.email,
        user.email.upper(),
        f" {user.email} ",
        user.email.title(),
        user.email,
    ):
        assert login(variant, "wrong").status_code == 401
    assert login(user.email).status_code == 429


def test_success_resets_the_failure_count(user, login):
    for _ in range(4):
        assert login(user.email, "wrong").status_code == 401
    assert login(user.email).status_code == 200
    for _ in range(4):
        assert login(user.email, "wrong").status_code == 401
    assert login(user.email).status_code == 200


@override_settings(AUTH_LOGIN_LOCKOUT_SECONDS=1, AUTH_LOGIN_MAX_FAILURES=2)
def test_the_lock_expires(user, login):
    import time

    assert login(user.email, "wrong").status_code == 401
    assert login(user.email, "wrong").status_code == 401
    assert login(user.email).status_code == 429
    time.sleep(1.1)
    assert login(user.email).status_code == 200


# --- Redis down: sign-in works on, the lockout holds in this process ----------------------


@pytest.fixture
def redis_down(settings):
    """The lockout store (the Django cache) unreachable: nothing listens on port 1."""
    from accounts import lockout

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    lockout._guard = type(lockout._guard)("test lockout store", retry_after=1.0)
    lockout._local = type(lockout._local)()
    yield lockout


def test_with_redis_down_login_works(user, login, redis_down):
    response = login(user.email)
    assert response.status_code == 200, response.json()
    assert redis_down._guard.degraded


def test_with_redis_down_the_lockout_still_holds(user, login, redis_down):
    _lock_out(login, user.email)
    response = login(user.email, PASSWORD)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
