"""Kafka handlers of the `properties` and `availability` consumers (config/consumers.py):
thin adapters."""

from __future__ import annotations

import uuid

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.search.indices import ensure_alias

from . import services


def on_property_events(envelopes: list[EventEnvelope]) -> dict[uuid.UUID, Exception]:
    """Batch handler: one `_bulk` request for the batch; returns rejected events."""
    return services.property_index(envelopes=envelopes)


def on_booking_events(envelopes: list[EventEnvelope]) -> dict[uuid.UUID, Exception]:
    """Batch handler of booking-events: room availability into the table and the index
    (booking.* events are ignored); returns rejected events."""
    return services.availability_index(envelopes=envelopes)


def on_start() -> None:
    """Before consuming: create the index and alias if this is the first start, and add
    mapping fields a newer version introduced."""
    ensure_alias()
