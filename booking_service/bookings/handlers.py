"""Kafka handlers (config/consumers.py): decode an event, call one service."""

from __future__ import annotations

from decimal import Decimal

from rentezy_common.events.consumer import RejectedEvent

from . import inventory


def on_property_event(envelope) -> None:
    """property-events -> room inventory: a property's snapshot, applied to its rooms."""
    snapshot = envelope.payload
    if not isinstance(snapshot, dict) or "id" not in snapshot:
        raise RejectedEvent("payload is not a property snapshot")
    status = "deleted" if envelope.type == "property.deleted" else snapshot.get("status", "")
    inventory.property_rooms_apply(
        property_id=snapshot["id"],
        owner_id=str(snapshot.get("owner_id") or ""),
        title=str(snapshot.get("title") or ""),
        status=str(status),
        rooms=_rooms(snapshot),
        version=envelope.version,
    )


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value if value is not None else "0"))
    except ArithmeticError as exc:
        raise RejectedEvent(f"{field} is not a decimal: {value!r}") from exc


def _rooms(snapshot: dict) -> list[dict]:
    rooms = snapshot.get("rooms") or []
    if not isinstance(rooms, list):
        raise RejectedEvent("rooms must be a list")
    parsed = []
    for room in rooms:
        try:
            total = int(room["total_units"])
            if total < 0:
                raise ValueError("negative total_units")
            parsed.append(
                {
                    "id": str(room["id"]),
                    "name": str(room.get("name") or "")[:200],
                    "total_units": total,
                    "monthly_price": _decimal(room.get("monthly_price"), "monthly_price"),
                    "deposit": _decimal(room.get("deposit"), "deposit"),
                    "currency": str(room.get("currency") or snapshot.get("currency") or ""),
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RejectedEvent(f"malformed room {room!r}: {exc}") from exc
    return parsed
