"""Kafka handlers (config/consumers.py): decode an event, call one service.

- `property-events`: who owns each property, and whether it is published;
- `booking-events` and `visit-events`: the tenants a landlord may write to first, and the
  bookings a conversation may be linked to;
- `user-events`: ended sessions and deactivated users, whose sockets are closed.
"""

from __future__ import annotations

import uuid

from rentezy_common.events.consumer import RejectedEvent

from . import services
from .choices import RelationKind


def _uuid(value, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise RejectedEvent(f"{field} is not a UUID: {value!r}") from exc


def _payload(envelope) -> dict:
    if not isinstance(envelope.payload, dict):
        raise RejectedEvent("payload is not an object")
    return envelope.payload


def on_property_event(envelope) -> None:
    snapshot = _payload(envelope)
    if "id" not in snapshot or not snapshot.get("owner_id"):
        raise RejectedEvent("payload is not a property snapshot")
    status = "deleted" if envelope.type == "property.deleted" else snapshot.get("status", "")
    services.property_apply(
        property_id=_uuid(snapshot["id"], "id"),
        owner_id=str(snapshot["owner_id"]),
        title=str(snapshot.get("title") or "")[:200],
        status=str(status)[:16],
        version=envelope.version,
    )


def _relation(envelope, kind: str, landlord_field: str) -> None:
    payload = _payload(envelope)
    try:
        tenant_id, landlord_id = str(payload["tenant_id"]), str(payload[landlord_field])
    except KeyError as exc:
        raise RejectedEvent(f"missing {exc}") from exc
    services.relation_apply(
        kind=kind,
        ref_id=_uuid(payload.get("id"), "id"),
        tenant_id=tenant_id,
        landlord_id=landlord_id,
        property_id=_uuid(payload.get("property_id"), "property_id"),
        status=str(payload.get("status") or "")[:32],
        version=envelope.version,
    )


def on_booking_event(envelope) -> None:
    """Bookings (aggregate `booking`); room availability (`inventory.changed`) is not
    chat's business."""
    if envelope.aggregate_type != "booking":
        return
    _relation(envelope, RelationKind.BOOKING, "owner_id")


def on_visit_event(envelope) -> None:
    """Visit requests: `tenant_id`, the landlord (`landlord_id`, or `owner_id`) and the
    property, like a booking."""
    if envelope.aggregate_type not in ("visit", "visit_request"):
        return
    payload = _payload(envelope)
    landlord_field = "landlord_id" if "landlord_id" in payload else "owner_id"
    _relation(envelope, RelationKind.VISIT, landlord_field)


def on_user_event(envelope) -> None:
    payload = _payload(envelope)
    if envelope.type == "session.revoked":
        try:
            services.session_revoke(
                user_id=str(payload["user_id"]),
                session_id=str(payload["session_id"]),
                reason=str(payload.get("reason") or "")[:32],
            )
        except KeyError as exc:
            raise RejectedEvent(f"missing {exc}") from exc
    elif envelope.type in ("user.deactivated", "user.activated"):
        if "id" not in payload:
            raise RejectedEvent("payload is not a user")
        services.account_apply(
            user_id=str(payload["id"]),
            is_active=envelope.type == "user.activated",
            version=envelope.version,
        )


def on_directory_event(envelope) -> None:
    """The `directory` consumer's three topics, told apart by the aggregate."""
    if envelope.aggregate_type == "property":
        on_property_event(envelope)
    elif envelope.aggregate_type == "booking":
        on_booking_event(envelope)
    else:
        on_visit_event(envelope)
