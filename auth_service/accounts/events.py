"""`user-events`: every change to a user that other services must know about.

Each event carries the user's full public snapshot (never the password hash), so a
consumer can upsert its copy from any one event. Types: user.registered, user.updated,
user.deactivated, user.activated, user.password_changed (docs/services/auth.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rentezy_common.events import publish_event

if TYPE_CHECKING:
    from .models import User

USER_TOPIC = "user-events"
USER_EVENT_TYPES = (
    "user.registered",
    "user.updated",
    "user.deactivated",
    "user.activated",
    "user.password_changed",
)


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "id": str(user.pk),
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "time_zone": user.time_zone,
        "locale": user.locale,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def user_event_publish(*, user: User, event_type: str) -> None:
    """Write the event to the outbox; call inside the transaction that changed `user`."""
    if event_type not in USER_EVENT_TYPES:
        raise ValueError(f"unknown user event type {event_type!r}")
    publish_event(
        topic=USER_TOPIC,
        event_type=event_type,
        aggregate_type="user",
        aggregate_id=str(user.pk),
        payload=user_snapshot(user),
    )
