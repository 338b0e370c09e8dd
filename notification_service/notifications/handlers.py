"""Kafka handlers (config/consumers.py): decode an event, call one service.

- `user-events`: the directory (every user event carries the whole user), the account
  and security messages, and ended sessions (their sockets are closed);
- `property-events`: titles and owners for messages;
- `booking-events`, `rent-events`, `visit-events`: the status of what messages talk
  about (`Subject`), then the messages;
- `chat-events`: a live notification per message, and the digest's material.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from rentezy_common.events.consumer import RejectedEvent

from . import services


def _payload(envelope) -> dict:
    if not isinstance(envelope.payload, dict):
        raise RejectedEvent("payload is not an object")
    return envelope.payload


def _uuid(value, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise RejectedEvent(f"{field} is not a UUID: {value!r}") from exc


def _require(payload: dict, *fields: str) -> None:
    missing = [f for f in fields if payload.get(f) in (None, "")]
    if missing:
        raise RejectedEvent(f"missing {', '.join(missing)}")


def on_user_event(envelope) -> None:
    payload = _payload(envelope)
    if envelope.type == "session.revoked":
        _require(payload, "user_id", "session_id")
        services.session_revoke(
            user_id=str(payload["user_id"]),
            session_id=str(payload["session_id"]),
            reason=str(payload.get("reason") or "")[:32],
        )
        return
    if envelope.type.startswith("user."):
        if "email" in payload and "id" in payload:  # the whole user
            services.recipient_apply(user=payload, version=envelope.version)
        if envelope.type == "user.deactivated":
            services.session_revoke(user_id=str(payload["id"]), session_id=None,
                                    reason="deactivated")  # fmt: skip
        if envelope.type in ("user.password_reset_requested",
                             "user.email_verification_requested"):  # fmt: skip
            _require(payload, "user_id", "token")
        services.notifications_from_event(envelope=envelope)


def on_property_event(envelope) -> None:
    snapshot = _payload(envelope)
    _require(snapshot, "id", "owner_id")
    services.property_apply(
        property_id=_uuid(snapshot["id"], "id"),
        owner_id=str(snapshot["owner_id"]),
        title=str(snapshot.get("title") or "")[:200],
        time_zone=str(snapshot.get("time_zone") or "")[:64],
        version=envelope.version,
    )


def on_booking_event(envelope) -> None:
    if envelope.aggregate_type != "booking":
        return  # inventory.changed: nobody is told about room availability
    payload = _payload(envelope)
    _require(payload, "id", "status", "tenant_id")
    services.subject_apply(
        kind="booking", ref_id=str(payload["id"]), status=str(payload["status"]),
        version=envelope.version,
    )  # fmt: skip
    services.notifications_from_event(envelope=envelope)


def on_rent_event(envelope) -> None:
    payload = _payload(envelope)
    _require(payload, "id")
    kind = envelope.type.split(".", 1)[0]
    if kind in ("lease", "card", "deposit"):
        services.subject_apply(
            kind="lease",
            ref_id=str(payload["id"]),
            status=str(payload.get("status") or ""),
            version=envelope.version,
            data={
                "tenant_id": str(payload.get("tenant_id") or ""),
                "landlord_id": str(payload.get("landlord_id") or ""),
                "property_id": str(payload.get("property_id") or ""),
            },
        )
    elif kind in ("invoice", "late_fee", "autopay"):
        services.subject_apply(
            kind="invoice", ref_id=str(payload["id"]), status=str(payload.get("status") or ""),
            version=envelope.version,
        )  # fmt: skip
    services.notifications_from_event(envelope=envelope)


def on_visit_event(envelope) -> None:
    payload = _payload(envelope)
    _require(payload, "id", "status", "tenant_id")
    if envelope.type != "visit.reminder_due":  # a reminder changes nothing of the visit
        services.subject_apply(
            kind="visit", ref_id=str(payload["id"]), status=str(payload["status"]),
            version=envelope.version, data={"start": payload.get("start")},
        )  # fmt: skip
    services.notifications_from_event(envelope=envelope)


def _time(value) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return timezone.now()


def on_chat_event(envelope) -> None:
    payload = _payload(envelope)
    if envelope.type == "message.sent":
        _require(payload, "conversation_id", "message_id", "sender_id", "recipient_id")
        services.chat_unread_record(
            recipient_id=str(payload["recipient_id"]),
            conversation_id=_uuid(payload["conversation_id"], "conversation_id"),
            message_id=str(payload["message_id"]),
            seq=int(payload.get("seq") or 0),
            sender_id=str(payload["sender_id"]),
            preview=str(payload.get("preview") or ""),
            sent_at=_time(payload.get("created_at"))
            if payload.get("created_at")
            else timezone.now(),
        )
        services.notifications_from_event(envelope=envelope)
    elif envelope.type in ("conversation.read", "message.read"):
        _require(payload, "conversation_id", "user_id")
        services.chat_read_apply(
            user_id=str(payload["user_id"]),
            conversation_id=_uuid(payload["conversation_id"], "conversation_id"),
            last_read_seq=int(payload.get("last_read_seq") or payload.get("seq") or 0),
        )


def on_activity_event(envelope) -> None:
    """The `activity` consumer's topics, told apart by the source's aggregate."""
    handler = {
        "booking": on_booking_event,
        "room": on_booking_event,
        "lease": on_rent_event,
        "visit": on_visit_event,
    }.get(envelope.aggregate_type)
    if handler is not None:
        handler(envelope)


def on_directory_event(envelope) -> None:
    """The `directory` consumer's topics: users and properties."""
    if envelope.aggregate_type == "property":
        on_property_event(envelope)
    elif envelope.aggregate_type == "user":
        on_user_event(envelope)
