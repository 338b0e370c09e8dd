"""Kafka handlers (config/consumers.py): decode an event, call one service."""

from __future__ import annotations

from rentezy_common.events.consumer import RejectedEvent

from . import services


def on_property_event(envelope) -> None:
    """property-events -> the property's owner, state, zone (and title and address, for
    calendars); unpublishing or deleting it cancels its upcoming visits."""
    snapshot = envelope.payload
    if not isinstance(snapshot, dict) or "id" not in snapshot:
        raise RejectedEvent("payload is not a property snapshot")
    status = "deleted" if envelope.type == "property.deleted" else snapshot.get("status", "")
    time_zone = snapshot.get("time_zone") or ""
    if not isinstance(time_zone, str):
        raise RejectedEvent(f"time_zone is not a string: {time_zone!r}")
    services.property_apply(
        property_id=str(snapshot["id"]),
        owner_id=str(snapshot.get("owner_id") or ""),
        title=str(snapshot.get("title") or ""),
        address=_address(snapshot.get("address")),
        status=str(status),
        time_zone=time_zone,
        version=envelope.version,
    )


def _address(address) -> str:
    """One line for a calendar's LOCATION: street, locality, city, postal code."""
    if not isinstance(address, dict):
        return ""
    parts = ("line1", "line2", "locality", "city", "postal_code")
    return ", ".join(str(address[p]) for p in parts if address.get(p))
