"""`user-events`: every change to a user that other services must know about.

Each user event carries the user's full public representation
(accounts.representation, without `last_login`: signing in is not an event; never the
password hash), so a consumer can upsert its copy from any one event. Types:
user.registered, user.updated, user.deactivated, user.activated, user.password_changed,
user.email_verified, user.email_changed (with `previous_email`) (docs/services/auth.md).

`user.password_reset_requested` and `user.email_verification_requested` ask
notification_service for an email with a one-time link: `{user_id, email, full_name,
token, expires_at, change}`.

`user.new_device_login` tells of a sign-in from a browser or app the account has not
used before (not its first): `{user_id, device, ip, at}`.

`session.revoked` ends one session visibly (logout, a password change, deactivation, a
stolen refresh token): `{user_id, session_id, reason}`, so a real-time service can close
the sockets of that session (the gateway signs the session id into every request).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from rentezy_common.events import publish_event

from .models import User
from .representation import user_representation

USER_EVENT_TYPES = (
    "user.registered",
    "user.updated",
    "user.deactivated",
    "user.activated",
    "user.password_changed",
    "user.email_verified",
    "user.email_changed",
)
# Events that carry a one-time secret for the email notification_service sends, not
# the user (accounts.services: password reset, email confirmation).
USER_TOKEN_EVENT_TYPES = ("user.password_reset_requested", "user.email_verification_requested")


def new_device_login_publish(*, user: User, device: str, client_ip: str, at) -> None:
    """`user.new_device_login`: a sign-in from a browser or app the account has not used
    before (accounts.devices), for the security email notification_service sends:
    `{user_id, device, ip, at}`."""
    publish_event(
        topic=settings.USER_EVENTS_TOPIC,
        event_type="user.new_device_login",
        aggregate_type="user",
        aggregate_id=str(user.pk),
        payload={
            "user_id": str(user.pk),
            "device": device,
            "ip": client_ip,
            "at": at.isoformat(),
        },
    )


def user_event_payload(user: User) -> dict[str, Any]:
    payload = user_representation(user)
    del payload["last_login"]
    return payload


def user_event_publish(*, user: User, event_type: str, **extra: Any) -> None:
    """Write the event to the outbox; call inside the transaction that changed `user`.
    `extra` fields join the user (`previous_email` of `user.email_changed`)."""
    if event_type not in USER_EVENT_TYPES:
        raise ValueError(f"unknown user event type {event_type!r}")
    publish_event(
        topic=settings.USER_EVENTS_TOPIC,
        event_type=event_type,
        aggregate_type="user",
        aggregate_id=str(user.pk),
        payload={**user_event_payload(user), **extra},
    )


def user_token_publish(*, user: User, event_type: str, email: str, token: str, expires_at,
                       change: bool = False) -> None:  # fmt: skip
    """Ask for an email carrying a one-time token (notification_service sends it).

    The token travels in the event because the service that sends the email must put it
    in the link; Kafka and notification_service are inside the cluster, the token is
    spent on first use and expires within hours (AUTH_PASSWORD_RESET_TOKEN_SECONDS,
    AUTH_EMAIL_TOKEN_SECONDS), and auth_service stores only its hash."""
    if event_type not in USER_TOKEN_EVENT_TYPES:
        raise ValueError(f"unknown user token event type {event_type!r}")
    publish_event(
        topic=settings.USER_EVENTS_TOPIC,
        event_type=event_type,
        aggregate_type="user",
        aggregate_id=str(user.pk),
        payload={
            "user_id": str(user.pk),
            "email": email,
            "full_name": user.full_name,
            "token": token,
            "expires_at": expires_at,
            "change": change,
        },
    )


def session_revoked_publish(*, user_id, session_ids, reason: str) -> None:
    """One `session.revoked` per ended session, keyed by the user (ordered with the
    user's other events); call inside the transaction that revoked them."""
    for session_id in session_ids:
        publish_event(
            topic=settings.USER_EVENTS_TOPIC,
            event_type="session.revoked",
            aggregate_type="user",
            aggregate_id=str(user_id),
            payload={"user_id": str(user_id), "session_id": str(session_id), "reason": reason},
        )
