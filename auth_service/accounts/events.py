"""`user-events`: every change to a user that other services must know about.

Each event carries the user's full public representation (accounts.representation,
without `last_login`: signing in is not an event; never the password hash), so a
consumer can upsert its copy from any one event. Types: user.registered, user.updated,
user.deactivated, user.activated, user.password_changed (docs/services/auth.md).

`session.revoked` ends one session visibly (logout, a password change, deactivation, a
stolen refresh token): `{user_id, session_id, reason}`, so a real-time service can close
the sockets of that session (the gateway signs the session id into every request).
"""

from __future__ import annotations

from typing import Any

from rentezy_common.events import publish_event

from .models import User
from .representation import user_representation

USER_TOPIC = "user-events"
USER_EVENT_TYPES = (
    "user.registered",
    "user.updated",
    "user.deactivated",
    "user.activated",
    "user.password_changed",
)


def user_event_payload(user: User) -> dict[str, Any]:
    payload = user_representation(user)
    del payload["last_login"]
    return payload


def user_event_publish(*, user: User, event_type: str) -> None:
    """Write the event to the outbox; call inside the transaction that changed `user`."""
    if event_type not in USER_EVENT_TYPES:
        raise ValueError(f"unknown user event type {event_type!r}")
    publish_event(
        topic=USER_TOPIC,
        event_type=event_type,
        aggregate_type="user",
        aggregate_id=str(user.pk),
        payload=user_event_payload(user),
    )


def session_revoked_publish(*, user_id, session_ids, reason: str) -> None:
    """One `session.revoked` per ended session, keyed by the user (ordered with the
    user's other events); call inside the transaction that revoked them."""
    for session_id in session_ids:
        publish_event(
            topic=USER_TOPIC,
            event_type="session.revoked",
            aggregate_type="user",
            aggregate_id=str(user_id),
            payload={"user_id": str(user_id), "session_id": str(session_id), "reason": reason},
        )
