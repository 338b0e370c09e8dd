"""Test helpers for the search services: contract-shaped snapshots and envelopes, and a
throwaway alias (own concrete indices, deleted afterwards).

Tests never hand-write index documents: they build `property-events` envelopes in the
contract's shape (docs/contracts/property-events.md) and index them through the same
builder and writer the consumer uses, or produce them to a throwaway topic for the
consumer itself.

    from rentezy_common.search.testing import search_alias  # noqa: F401  (fixture)
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from ..events.envelope import EventEnvelope
from .availability import INVENTORY_CHANGED, ROOM_AGGREGATE, inventory_change, merge_availability
from .client import get_client
from .indices import alias_targets, ensure_alias
from .writer import newest_per_document, snapshot_op, write

EVENT_TYPES = {
    "draft": "property.created",
    "published": "property.published",
    "archived": "property.unpublished",
    "deleted": "property.deleted",
}


def property_snapshot(
    *,
    id: str | None = None,
    status: str = "published",
    title: str = "Sunny 2BHK apartment near the park",
    description: str = "Bright flat with a balcony, close to the metro.",
    property_type: str = "apartment",
    city: str = "Bengaluru",
    locality: str = "Indiranagar",
    lat: float = 12.9719,
    lon: float = 77.6412,
    monthly_price: str = "25000.00",
    rooms: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A complete snapshot in the contract's shape; any field can be overridden."""
    now = datetime.now(UTC).isoformat()
    snapshot = {
        "id": id or str(uuid.uuid4()),
        "owner_id": "42",
        "status": status,
        "title": title,
        "description": description,
        "property_type": property_type,
        "address": {
            "line1": "12 MG Road",
            "line2": "",
            "locality": locality,
            "city": city,
            "state": "Karnataka",
            "postal_code": "560038",
            "country": "IN",
        },
        "location": {"lat": lat, "lon": lon},
        "currency": "INR",
        "monthly_price": monthly_price,
        "deposit": "50000.00",
        "bedrooms": 2,
        "bathrooms": 2,
        "area_sqft": 1100,
        "furnished": True,
        "amenities": ["parking", "wifi"],
        "house_rules": "No smoking.",
        "available_from": None,
        "rooms": rooms
        if rooms is not None
        else [
            {
                "id": str(uuid.uuid4()),
                "name": "Double room",
                "total_units": 3,
                "monthly_price": "12000.00",
                "deposit": "24000.00",
                "currency": "INR",
            }
        ],
        "photos": [],
        "cover_photo_url": None,
        "created_at": now,
        "updated_at": now,
        "published_at": now if status == "published" else None,
    }
    snapshot.update(fields)
    return snapshot


def snapshot_envelope(
    snapshot: dict[str, Any], *, version: int = 1, event_type: str | None = None
) -> EventEnvelope:
    """The `property-events` envelope carrying `snapshot` at `version`."""
    return EventEnvelope(
        id=uuid.uuid4(),
        type=event_type or EVENT_TYPES.get(snapshot.get("status"), "property.updated"),
        source="property",
        aggregate_type="property",
        aggregate_id=str(snapshot["id"]),
        version=version,
        occurred_at=datetime.now(UTC),
        payload=snapshot,
        trace={"request_id": "test"},
    )


def inventory_envelope(
    *,
    room_id: str,
    property_id: str,
    available_units: int,
    total_units: int | None = None,
    bookable: bool = True,
    version: int = 1,
    **payload: Any,
) -> EventEnvelope:
    """A `booking-events` `inventory.changed` envelope (docs/contracts/booking-events.md)
    for one room; `payload` overrides or adds payload fields (malformed ones too)."""
    return EventEnvelope(
        id=uuid.uuid4(),
        type=INVENTORY_CHANGED,
        source="booking",
        aggregate_type=ROOM_AGGREGATE,
        aggregate_id=str(room_id),
        version=version,
        occurred_at=datetime.now(UTC),
        payload={
            "room_id": str(room_id),
            "property_id": str(property_id),
            "total_units": available_units if total_units is None else total_units,
            "available_units": available_units,
            "bookable": bookable,
            **payload,
        },
        trace={"request_id": "test"},
    )


def index_envelopes(envelopes, *, alias: str, refresh: str = "wait_for", inventory=()) -> None:
    """Index envelopes through the consumer's own builder and writer, then make them
    searchable (tests that do not need Kafka). `inventory`: `inventory.changed`
    envelopes merged into the documents as search_consumer merges its table."""
    ops = newest_per_document(op for op in map(snapshot_op, envelopes) if op is not None)
    rooms: dict[str, dict] = {}
    for change in filter(None, map(inventory_change, inventory)):
        current = rooms.setdefault(change.property_id, {}).get(change.room_id)
        if current is None or change.version > current.version:
            rooms[change.property_id][change.room_id] = change
    for op in ops:
        merge_availability(op.document, rooms.get(op.doc_id))
    result = write(ops, index=alias, require_alias=True, refresh=refresh)
    assert not result.rejected, result.rejected


def drop_alias(alias: str) -> None:
    """Delete every concrete index of a test alias (and so the alias)."""
    from elasticsearch import NotFoundError

    client = get_client()
    try:
        names = list(client.indices.get(index=f"{alias}-*", expand_wildcards="all").body)
    except NotFoundError:
        names = []
    names += alias_targets(alias)
    if names:
        client.indices.delete(index=",".join(sorted(set(names))), ignore_unavailable=True)


@pytest.fixture
def search_alias_name(settings):
    """A throwaway alias name set as settings.SEARCH_INDEX_ALIAS, not created yet (the
    code under test bootstraps it); its indices are deleted afterwards."""
    alias = f"test-properties-{uuid.uuid4().hex[:12]}"
    settings.SEARCH_INDEX_ALIAS = alias
    try:
        yield alias
    finally:
        drop_alias(alias)


@pytest.fixture
def search_alias(search_alias_name):
    """A throwaway alias (settings.SEARCH_INDEX_ALIAS) with its bootstrap index."""
    ensure_alias(search_alias_name)
    return search_alias_name
