"""Refresh rotation, reuse detection, logout and password change."""

import io

import pytest
from accounts.models import RefreshToken, User, UserSession

from rentezy_common.events.models import OutboxEvent

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(user, login):
    response = login(user.email)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def refresh(anon):
    def _refresh(token):
        return anon.post("/api/auth/refresh", {"refresh": token}, format="json")

    return _refresh


def test_refresh_rotates_the_token(tokens, refresh, introspect):
    first = refresh(tokens["refresh"])

    assert first.status_code == 200, first.json()
    rotated = first.json()
    assert rotated["refresh"] != tokens["refresh"]
    assert rotated["access"] != tokens["access"]
    assert rotated["access_expires_in"] == 900
    # Same session: the new access token carries the same sid.
    assert introspect(rotated["access"])["sid"] == introspect(tokens["access"])["sid"]
    # The new refresh token works in turn.
    assert refresh(rotated["refresh"]).status_code == 200


def test_refresh_tokens_are_stored_only_as_hashes(tokens):
    stored = list(RefreshToken.objects.values_list("token_hash", flat=True))
    assert len(stored) == 1
    assert tokens["refresh"] not in stored[0]
    assert len(stored[0]) == 64


def test_unknown_or_malformed_refresh_token_is_401(refresh, anon):
    response = refresh("no-such-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_refresh_token"
    assert anon.post("/api/auth/refresh", {}, format="json").status_code == 400


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(tokens, refresh, introspect):
    second = refresh(tokens["refresh"]).json()
    third = refresh(second["refresh"]).json()

    # An attacker (or the legitimate client) replays the first, already rotated token.
    replay = refresh(tokens["refresh"])
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "invalid_refresh_token"

    # Every descendant is dead too: the newest refresh token and every access token.
    assert refresh(third["refresh"]).status_code == 401
    assert introspect(third["access"]) == {"active": False}
    assert introspect(tokens["access"]) == {"active": False}
    session = UserSession.objects.get()
    assert session.revoke_reason == "reuse_detected"


def test_reuse_in_one_session_leaves_the_users_other_sessions_alone(
    user, login, refresh, introspect
):
    phone = login(user.email).json()
    laptop = login(user.email).json()

    rotated = refresh(phone["refresh"]).json()
    refresh(rotated["refresh"])
    assert refresh(phone["refresh"]).status_code == 401  # reuse: phone session revoked

    assert introspect(laptop["access"])["active"] is True
    assert refresh(laptop["refresh"]).status_code == 200


def test_a_duplicate_refresh_within_the_grace_period_gets_its_own_pair(
    tokens, refresh, introspect, settings
):
    """Two tabs refresh with the same token: both keep the session."""
    settings.AUTH_REFRESH_REUSE_GRACE_SECONDS = 10
    first = refresh(tokens["refresh"])
    again = refresh(tokens["refresh"])
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["refresh"] != again.json()["refresh"]
    assert introspect(again.json()["access"])["sid"] == introspect(tokens["access"])["sid"]
    assert UserSession.objects.get().revoked_at is None
    # Each tab goes on with its own token.
    assert refresh(first.json()["refresh"]).status_code == 200
    assert refresh(again.json()["refresh"]).status_code == 200


def test_a_spent_token_after_the_grace_period_is_reuse(tokens, refresh, introspect, settings):
    from datetime import timedelta

    settings.AUTH_REFRESH_REUSE_GRACE_SECONDS = 10
    rotated = refresh(tokens["refresh"]).json()
    spent = RefreshToken.objects.exclude(used_at=None).get()
    earlier = spent.used_at - timedelta(seconds=11)
    RefreshToken.objects.filter(pk=spent.pk).update(used_at=earlier)
    UserSession.objects.update(last_refreshed_at=earlier)

    assert refresh(tokens["refresh"]).status_code == 401
    assert UserSession.objects.get().revoke_reason == "reuse_detected"
    assert refresh(rotated["refresh"]).status_code == 401


def test_without_a_grace_period_a_duplicate_is_reuse(tokens, refresh, settings):
    settings.AUTH_REFRESH_REUSE_GRACE_SECONDS = 0
    assert refresh(tokens["refresh"]).status_code == 200
    assert refresh(tokens["refresh"]).status_code == 401
    assert UserSession.objects.get().revoke_reason == "reuse_detected"


def test_expired_refresh_token_is_401(tokens, refresh):
    from django.utils import timezone

    RefreshToken.objects.update(expires_at=timezone.now())
    assert refresh(tokens["refresh"]).status_code == 401


def test_logout_revokes_the_current_session(user, tokens, refresh, introspect):
    response = client_for(user, tokens["access"]).post("/api/auth/logout")

    assert response.status_code == 204
    assert introspect(tokens["access"]) == {"active": False}
    assert refresh(tokens["refresh"]).status_code == 401
    assert UserSession.objects.get().revoke_reason == "logout"


def test_logout_only_ends_the_callers_session(user, login, introspect):
    phone = login(user.email).json()
    laptop = login(user.email).json()

    assert client_for(user, phone["access"]).post("/api/auth/logout").status_code == 204
    assert introspect(phone["access"]) == {"active": False}
    assert introspect(laptop["access"])["active"] is True


def test_logout_by_refresh_token_when_there_is_no_bearer(user, tokens, introspect):
    response = client_for(user).post(
        "/api/auth/logout", {"refresh": tokens["refresh"]}, format="json"
    )
    assert response.status_code == 204
    assert introspect(tokens["access"]) == {"active": False}


def test_logout_cannot_end_another_users_session(user, landlord, tokens, login, introspect):
    other = login(landlord.email).json()
    # The landlord presents the tenant's tokens: nothing of the tenant's is touched.
    response = client_for(landlord).post(
        "/api/auth/logout",
        {"refresh": tokens["refresh"]},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['access']}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_session"
    assert introspect(tokens["access"])["active"] is True
    assert introspect(other["access"])["active"] is True


def test_logout_twice_is_harmless(user, tokens):
    client = client_for(user, tokens["access"])
    assert client.post("/api/auth/logout").status_code == 204
    assert client.post("/api/auth/logout").status_code == 204


def test_logout_needs_an_authenticated_caller(anon, tokens):
    response = anon.post("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert response.status_code == 401


def test_password_change_revokes_every_session_and_returns_a_new_pair(
    user, login, refresh, introspect
):
    phone = login(user.email).json()
    laptop = login(user.email).json()
    new_password = "an0ther-Strong-passphrase"

    response = client_for(user, laptop["access"]).post(
        "/api/auth/password",
        {"current_password": PASSWORD, "new_password": new_password},
        format="json",
    )

    assert response.status_code == 200, response.json()
    fresh = response.json()
    for old in (phone, laptop):
        assert introspect(old["access"]) == {"active": False}
        assert refresh(old["refresh"]).status_code == 401
    assert introspect(fresh["access"])["active"] is True
    assert refresh(fresh["refresh"]).status_code == 200
    assert login(user.email, PASSWORD).status_code == 401
    assert login(user.email, new_password).status_code == 200
    event = OutboxEvent.objects.filter(aggregate_id=str(user.pk)).latest("seq")
    assert event.event_type == "user.password_changed"
    assert "password" not in event.payload


def test_changepassword_command_signs_the_user_out_everywhere(
    user, login, refresh, introspect, monkeypatch
):
    """An operator's `manage.py changepassword` (say, for an account taken over) ends
    every session like the API does: whoever had the old password is out."""
    from django.contrib.auth.management.commands import changepassword
    from django.core.management import call_command

    tokens = login(user.email).json()
    new_password = "0perator-Set-passphrase"
    monkeypatch.setattr(changepassword.getpass, "getpass", lambda prompt="": new_password)

    call_command("changepassword", user.email, stdout=io.StringIO())

    assert introspect(tokens["access"]) == {"active": False}
    assert refresh(tokens["refresh"]).status_code == 401
    assert login(user.email, new_password).status_code == 200
    event = OutboxEvent.objects.filter(aggregate_id=str(user.pk)).latest("seq")
    assert event.event_type == "user.password_changed"


def test_a_password_hash_upgraded_at_login_keeps_the_sessions(user, login, refresh, settings):
    tokens = login(user.email).json()
    # A stronger hasher configuration: the next login re-hashes the password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    before = User.objects.get(pk=user.pk).password
    assert login(user.email).status_code == 200
    assert User.objects.get(pk=user.pk).password != before
    assert refresh(tokens["refresh"]).status_code == 200


def test_password_change_with_the_wrong_current_password(user, tokens, introspect):
    response = client_for(user, tokens["access"]).post(
        "/api/auth/password",
        {"current_password": "nope", "new_password": "an0ther-Strong-passphrase"},
        format="json",
    )
    assert response.status_code == 400
    assert "current_password" in response.json()["error"]["details"]
    assert introspect(tokens["access"])["active"] is True


def test_password_change_validates_the_new_password(user, tokens):
    client = client_for(user, tokens["access"])
    for weak in ("123", PASSWORD):
        response = client.post(
            "/api/auth/password",
            {"current_password": PASSWORD, "new_password": weak},
            format="json",
        )
        assert response.status_code == 400
        assert "new_password" in response.json()["error"]["details"]


def test_guessing_the_current_password_is_locked_out_like_login(user, tokens, login):
    client = client_for(user, tokens["access"])
    for attempt in range(5):
        response = client.post(
            "/api/auth/password",
            {"current_password": f"guess-{attempt}", "new_password": "an0ther-Strong-passphrase"},
            format="json",
        )
        assert response.status_code == 400
    response = client.post(
        "/api/auth/password",
        {"current_password": PASSWORD, "new_password": "an0ther-Strong-passphrase"},
        format="json",
    )
    assert response.status_code == 429
    assert response.has_header("Retry-After")
    assert login(user.email).status_code == 429


# --- ended sessions are announced (session.revoked on user-events) ------------------------


def revoked_events() -> list[dict]:
    return [
        event.payload
        for event in OutboxEvent.objects.filter(event_type="session.revoked").order_by("seq")
    ]


def test_logout_announces_the_ended_session(user, tokens, introspect):
    sid = introspect(tokens["access"])["sid"]
    assert client_for(user, tokens["access"]).post("/api/auth/logout").status_code == 204
    assert revoked_events() == [{"user_id": str(user.pk), "session_id": sid, "reason": "logout"}]
    # a second logout ends nothing more, and says nothing more
    client_for(user, tokens["access"]).post("/api/auth/logout")
    assert len(revoked_events()) == 1


def test_a_password_change_announces_every_ended_session(user, login, introspect):
    phone, laptop = login(user.email).json(), login(user.email).json()
    sids = {introspect(phone["access"])["sid"], introspect(laptop["access"])["sid"]}
    changed = client_for(user, phone["access"]).post(
        "/api/auth/password",
        {"current_password": PASSWORD, "new_password": "another-Long-passphrase-7"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    events = revoked_events()
    assert {e["session_id"] for e in events} == sids
    assert {e["reason"] for e in events} == {"password_change"}


def test_reuse_of_a_rotated_refresh_token_announces_the_stolen_session(
    tokens, refresh, introspect, settings
):
    settings.AUTH_REFRESH_REUSE_GRACE_SECONDS = 0
    sid = introspect(tokens["access"])["sid"]
    rotated = refresh(tokens["refresh"]).json()
    refresh(rotated["refresh"])  # the chain moves on
    assert refresh(tokens["refresh"]).status_code == 401  # the old token again: theft
    assert [e["session_id"] for e in revoked_events()] == [sid]
    assert revoked_events()[0]["reason"] == "reuse_detected"
