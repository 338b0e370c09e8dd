"""Password reset and email confirmation: always 202, no enumeration, per-address limit;
single-use expiring tokens; a reset ends every session; auth emits the events
(`user-events`) and notification_service sends the mail (docs/services/auth.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from accounts.models import OneTimeToken, User, UserSession
from django.utils import timezone

from rentezy_common.events.models import OutboxEvent
from tests.conftest import PASSWORD, client_for, unique_email

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-Long-passphrase-7"


def events(user, event_type):
    return list(
        OutboxEvent.objects.filter(aggregate_id=str(user.pk), event_type=event_type).order_by("seq")
    )


def reset_token(user) -> str:
    return events(user, "user.password_reset_requested")[-1].payload["token"]


def test_registration_asks_for_email_confirmation(user, anon):
    (event,) = events(user, "user.email_verification_requested")
    assert event.topic == "user-events"
    assert event.payload["email"] == user.email and event.payload["change"] is False
    assert anon.get("/api/auth/me").status_code == 401  # nothing public leaks here
    me = client_for(user).get("/api/auth/me").json()
    assert me["email_verified"] is False
    confirmed = anon.post(
        "/api/auth/email/confirm", {"token": event.payload["token"]}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["email_verified"] is True
    assert events(user, "user.email_verified")[0].payload["email_verified"] is True
    again = anon.post("/api/auth/email/confirm", {"token": event.payload["token"]}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_token"


def test_reset_is_202_alike_for_known_and_unknown_emails(user, anon):
    known = anon.post("/api/auth/password/reset", {"email": user.email.upper()}, format="json")
    unknown = anon.post(
        "/api/auth/password/reset", {"email": unique_email("nobody")}, format="json"
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(events(user, "user.password_reset_requested")) == 1
    assert OutboxEvent.objects.filter(event_type="user.password_reset_requested").count() == 1
    bad = anon.post("/api/auth/password/reset", {"email": "not-an-email"}, format="json")
    assert bad.status_code == 400


def test_reset_end_to_end_in_the_service(user, anon, login):
    session = login(user.email).json()
    anon.post("/api/auth/password/reset", {"email": user.email}, format="json")
    token = reset_token(user)
    weak = anon.post("/api/auth/password/reset/confirm", {"token": token, "password": "123"},
                     format="json")  # fmt: skip
    assert weak.status_code == 400 and "password" in weak.json()["error"]["details"]
    done = anon.post("/api/auth/password/reset/confirm",
                     {"token": token, "password": NEW_PASSWORD}, format="json")  # fmt: skip
    assert done.status_code == 204, done.content
    assert login(user.email, NEW_PASSWORD).status_code == 200
    assert login(user.email, PASSWORD).status_code == 401
    assert UserSession.objects.get(pk=session_id(session)).revoked_at is not None
    revoked = OutboxEvent.objects.filter(event_type="session.revoked", aggregate_id=str(user.pk))
    assert revoked.filter(payload__reason="password_change").exists()
    assert events(user, "user.password_changed")
    twice = anon.post("/api/auth/password/reset/confirm",
                      {"token": token, "password": "yet-Another-pass-3"}, format="json")  # fmt: skip
    assert twice.status_code == 400 and twice.json()["error"]["code"] == "invalid_token"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.email_verified_at is not None


def session_id(login_body) -> str:
    from accounts.tokens import access_token_decode

    return access_token_decode(login_body["access"])["sid"]


def test_forged_expired_and_superseded_tokens_change_nothing(user, anon):
    anon.post("/api/auth/password/reset", {"email": user.email}, format="json")
    first = reset_token(user)
    anon.post("/api/auth/password/reset", {"email": user.email}, format="json")
    second = reset_token(user)
    for token in (first, "forged-" + second, ""):
        answer = anon.post("/api/auth/password/reset/confirm",
                           {"token": token, "password": NEW_PASSWORD}, format="json")  # fmt: skip
        assert answer.status_code == 400, token
    OneTimeToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = anon.post("/api/auth/password/reset/confirm",
                        {"token": second, "password": NEW_PASSWORD}, format="json")  # fmt: skip
    assert expired.status_code == 400 and expired.json()["error"]["code"] == "invalid_token"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert not events(user, "user.password_changed")


def test_reset_emails_per_address_are_limited(user, anon, settings):
    settings.AUTH_PASSWORD_RESET_PER_EMAIL = 2
    for _ in range(4):
        answer = anon.post("/api/auth/password/reset", {"email": user.email}, format="json")
        assert answer.status_code == 202
    assert len(events(user, "user.password_reset_requested")) == 2


def test_inactive_accounts_get_no_reset(user, anon):
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert (
        anon.post("/api/auth/password/reset", {"email": user.email}, format="json").status_code
        == 202
    )
    assert not events(user, "user.password_reset_requested")


def test_email_change_moves_the_account_once_confirmed(user, anon, login):
    client = client_for(user)
    new = unique_email("moved")
    wrong = client.post("/api/auth/email", {"new_email": new, "password": "nope"}, format="json")
    assert wrong.status_code == 400
    asked = client.post("/api/auth/email", {"new_email": new, "password": PASSWORD}, format="json")
    assert asked.status_code == 202, asked.content
    event = events(user, "user.email_verification_requested")[-1]
    assert event.payload["email"] == new and event.payload["change"] is True
    assert User.objects.get(pk=user.pk).email == user.email  # not before the link
    confirmed = anon.post(
        "/api/auth/email/confirm", {"token": event.payload["token"]}, format="json"
    )
    assert confirmed.status_code == 200 and confirmed.json()["email"] == new
    (changed,) = events(user, "user.email_changed")
    assert changed.payload["previous_email"] == user.email and changed.payload["email"] == new
    assert login(new).status_code == 200


def test_email_change_to_a_taken_address_is_409(user, landlord):
    answer = client_for(user).post("/api/auth/email",
                                   {"new_email": landlord.email, "password": PASSWORD}, format="json")  # fmt: skip
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "email_taken"


def test_resend_confirmation(user):
    client = client_for(user)
    assert client.post("/api/auth/email/verify").status_code == 202
    assert len(events(user, "user.email_verification_requested")) == 2
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    assert client.post("/api/auth/email/verify").status_code == 409
