"""Kafka handlers (config/consumers.py): decode an event, call one service."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from rentezy_common.events.consumer import RejectedEvent

from . import services

BOOKING_FIELDS = ("id", "tenant_id", "owner_id", "property_id", "move_in_date", "currency",
                  "monthly_amount", "deposit_amount")  # fmt: skip


def _booking(payload) -> dict:
    if not isinstance(payload, dict) or any(payload.get(f) in (None, "") for f in BOOKING_FIELDS):
        raise RejectedEvent("payload is not a booking")
    try:
        uuid.UUID(str(payload["id"]))
        uuid.UUID(str(payload["property_id"]))
        date.fromisoformat(str(payload["move_in_date"]))
        for name in ("monthly_amount", "deposit_amount", "amount_paid", "amount_refunded"):
            Decimal(str(payload.get(name) or "0"))
    except (ValueError, InvalidOperation) as exc:
        raise RejectedEvent(f"malformed booking: {exc}") from exc
    if Decimal(str(payload["monthly_amount"])) <= 0:
        raise RejectedEvent("a booking without rent")
    return payload


def on_booking_event(envelope) -> None:
    """booking-events -> leases: a confirmed booking becomes a lease; a cancellation or
    refund before move-in ends it. Other booking events and room events are not rent's."""
    if envelope.aggregate_type != "booking":
        return
    if envelope.type == "booking.confirmed":
        services.lease_create_from_booking(booking=_booking(envelope.payload))
    elif envelope.type in ("booking.cancelled", "booking.refunded"):
        services.lease_end_for_booking(booking=_booking(envelope.payload), event_type=envelope.type)


def _address(address) -> str:
    if not isinstance(address, dict):
        return ""
    parts = [address.get(k) for k in ("line1", "line2", "locality", "city", "state",
                                      "postal_code", "country")]  # fmt: skip
    return ", ".join(str(p) for p in parts if p)


def on_property_event(envelope) -> None:
    """property-events -> the property directory (owner, title, address, time zone)."""
    snapshot = envelope.payload
    if not isinstance(snapshot, dict) or "id" not in snapshot:
        raise RejectedEvent("payload is not a property snapshot")
    try:
        property_id = uuid.UUID(str(snapshot["id"]))
    except ValueError as exc:
        raise RejectedEvent("property id is not a UUID") from exc
    status = "deleted" if envelope.type == "property.deleted" else str(snapshot.get("status", ""))
    services.property_apply(
        property_id=property_id,
        owner_id=str(snapshot.get("owner_id") or ""),
        title=str(snapshot.get("title") or ""),
        address=_address(snapshot.get("address")),
        time_zone=snapshot.get("time_zone") if isinstance(snapshot.get("time_zone"), str) else None,
        status=status,
        version=envelope.version,
    )


def on_user_event(envelope) -> None:
    """user-events -> the people directory (names on receipts, their zone and locale)."""
    user = envelope.payload
    if not isinstance(user, dict) or "id" not in user:
        raise RejectedEvent("payload is not a user")
    services.person_apply(
        person_id=str(user["id"]),
        fields={
            "full_name": str(user.get("full_name") or "")[:200],
            "email": str(user.get("email") or "")[:254],
            "role": str(user.get("role") or "")[:16],
            "time_zone": str(user.get("time_zone") or "")[:64],
            "locale": str(user.get("locale") or "")[:35],
        },
        version=envelope.version,
    )


def on_directory_event(envelope) -> None:
    """property-events and user-events, on one consumer (both are small and rare)."""
    if envelope.aggregate_type == "property":
        on_property_event(envelope)
    elif envelope.aggregate_type == "user":
        on_user_event(envelope)
