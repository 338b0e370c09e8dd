"""Room availability for the search index: decoding `inventory.changed`, merging it into
a document, the combined external version (no Elasticsearch needed here; search_consumer's
tests run the whole path against the real servers)."""

import copy
import uuid
from datetime import UTC, datetime

import pytest

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.search.availability import (
    InvalidInventory,
    RoomAvailability,
    document_version,
    inventory_change,
    merge_availability,
)
from rentezy_common.search.documents import InvalidSnapshot, build_document
from rentezy_common.search.indices import missing_fields
from rentezy_common.search.schema import MAPPINGS
from rentezy_common.search.testing import property_snapshot, snapshot_envelope
from rentezy_common.search.writer import decode_snapshot_op, snapshot_op


def inventory_envelope(payload, *, version=1, aggregate_id=None, **fields):
    return EventEnvelope(
        id=uuid.uuid4(),
        type=fields.pop("type", "inventory.changed"),
        source="booking",
        aggregate_type=fields.pop("aggregate_type", "room"),
        aggregate_id=aggregate_id or str(payload.get("room_id")),
        version=version,
        occurred_at=datetime.now(UTC),
        payload=payload,
    )


def inventory_payload(**fields):
    return {
        "room_id": str(uuid.uuid4()),
        "property_id": str(uuid.uuid4()),
        "total_units": 5,
        "available_units": 2,
        "bookable": True,
        **fields,
    }


def availability(room_id, *, available, version, bookable=True, total=5):
    return RoomAvailability(
        room_id=room_id,
        property_id=str(uuid.uuid4()),
        total_units=total,
        available_units=available,
        bookable=bookable,
        version=version,
    )


def two_room_document():
    rooms = [
        {"id": str(uuid.uuid4()), "name": "Single", "total_units": 2},
        {"id": str(uuid.uuid4()), "name": "Double", "total_units": 3},
    ]
    return build_document(property_snapshot(rooms=rooms), version=4)


def test_inventory_changed_is_decoded_with_canonical_ids():
    payload = inventory_payload(available_units=0, bookable=False)
    payload["property_id"] = payload["property_id"].upper()
    change = inventory_change(inventory_envelope(payload, version=9))
    assert change == RoomAvailability(
        room_id=payload["room_id"],
        property_id=payload["property_id"].lower(),
        total_units=5,
        available_units=0,
        bookable=False,
        version=9,
    )
    assert change.free_units == 0


@pytest.mark.parametrize(
    "aggregate_type,event_type",
    [("booking", "booking.held"), ("booking", "booking.confirmed"), ("room", "room.renamed")],
)
def test_other_booking_events_are_not_for_search(aggregate_type, event_type):
    envelope = inventory_envelope(
        {"id": str(uuid.uuid4()), "status": "PENDING", "room_id": str(uuid.uuid4())},
        aggregate_id=str(uuid.uuid4()),
        aggregate_type=aggregate_type,
        type=event_type,
    )
    assert inventory_change(envelope) is None


@pytest.mark.parametrize(
    "change,message",
    [
        ({"available_units": 6}, "available_units: must not exceed total_units"),
        ({"available_units": -1}, "available_units: must be a non-negative integer"),
        ({"total_units": "5"}, "total_units: must be a non-negative integer"),
        ({"bookable": "yes"}, "bookable: must be true or false"),
        ({"property_id": "p-1"}, "property_id: must be a UUID string"),
        ({"property_id": None}, "property_id: must be a UUID string"),
        ({"available_units": True}, "available_units: must be a non-negative integer"),
    ],
)
def test_malformed_inventory_payloads_are_refused(change, message):
    payload = inventory_payload(**change)
    with pytest.raises(InvalidInventory) as caught:
        inventory_change(inventory_envelope(payload))
    assert str(caught.value) == message


def test_inventory_payload_must_name_the_event_room_and_have_every_field():
    payload = inventory_payload()
    with pytest.raises(InvalidInventory, match="room_id: must equal the event's aggregate_id"):
        inventory_change(inventory_envelope(payload, aggregate_id=str(uuid.uuid4())))
    del payload["bookable"]
    with pytest.raises(InvalidInventory, match="bookable: must be true or false"):
        inventory_change(inventory_envelope(payload))
    del payload["total_units"]
    with pytest.raises(InvalidInventory, match="total_units: is missing"):
        inventory_change(inventory_envelope(payload))


def test_merge_sets_rooms_and_the_sum_only_bookable_rooms_count():
    document = two_room_document()
    single, double = (room["id"] for room in document["rooms"])
    assert document["available_units"] == 5

    changed = merge_availability(
        document,
        {
            single: availability(single, available=1, version=3),
            double: availability(double, available=3, version=7, bookable=False),
            str(uuid.uuid4()): availability("gone", available=9, version=1),  # not listed
        },
    )
    assert changed
    assert [(r["available_units"], r["availability_version"]) for r in document["rooms"]] == [
        (1, 3),
        (0, 7),
    ]
    assert document["available_units"] == 1
    assert document["total_units"] == 5  # the property's snapshot decides the rest


def test_merge_never_applies_an_older_or_equal_version():
    document = two_room_document()
    single = document["rooms"][0]["id"]
    assert merge_availability(document, {single: availability(single, available=0, version=5)})
    before = copy.deepcopy(document)
    for version in (5, 4, 1):
        stale = {single: availability(single, available=2, version=version)}
        assert not merge_availability(document, stale)
    assert document == before
    assert document["available_units"] == 3  # 0 + the untouched double room's 3


def test_merge_matches_room_ids_written_in_upper_case():
    document = two_room_document()
    single = document["rooms"][0]["id"]
    document["rooms"][0]["id"] = single.upper()
    assert merge_availability(document, {single: availability(single, available=0, version=1)})
    assert document["available_units"] == 3


def test_a_tombstone_has_nothing_to_merge():
    tombstone = build_document(property_snapshot(status="archived"), version=2)
    before = dict(tombstone)
    assert not merge_availability(
        tombstone, {"r": availability(str(uuid.uuid4()), available=0, version=1)}
    )
    assert tombstone == before
    assert document_version(tombstone) == 2 << 32


def test_a_newer_snapshot_outranks_any_availability():
    """The external version: a newer property version wins whatever availability either
    side has; with the same snapshot, newer availability wins."""
    document = two_room_document()  # property version 4
    single, double = (room["id"] for room in document["rooms"])
    fresh = document_version(document)
    assert fresh == 4 << 32
    merge_availability(document, {single: availability(single, available=1, version=10**6)})
    busy = document_version(document)
    assert busy > fresh
    merge_availability(document, {double: availability(double, available=1, version=1)})
    assert document_version(document) == busy + 1
    # An older snapshot, even with far more availability changes, stays below.
    assert document_version(document, property_version=3) < fresh
    assert document_version(document, property_version=5) > document_version(document)
    with pytest.raises(ValueError):
        document_version(document, property_version=2**31)


def test_mapping_holds_every_field_the_merge_writes():
    document = two_room_document()
    single = document["rooms"][0]["id"]
    merge_availability(document, {single: availability(single, available=0, version=1)})
    room_fields = MAPPINGS["properties"]["rooms"]["properties"]
    assert set(document["rooms"][0]) <= set(room_fields)
    assert room_fields["availability_version"]["index"] is False


def test_missing_fields_lists_what_an_older_mapping_lacks():
    older = copy.deepcopy(MAPPINGS["properties"])
    del older["rooms"]["properties"]["availability_version"]
    del older["cover_photo_url"]
    assert missing_fields(MAPPINGS["properties"], older) == {
        "rooms": {
            "type": "nested",
            "properties": {
                "availability_version": MAPPINGS["properties"]["rooms"]["properties"][
                    "availability_version"
                ]
            },
        },
        "cover_photo_url": MAPPINGS["properties"]["cover_photo_url"],
    }
    assert missing_fields(MAPPINGS["properties"], MAPPINGS["properties"]) == {}


def test_property_versions_beyond_the_high_bits_are_refused():
    envelope = snapshot_envelope(property_snapshot(), version=2**31)
    with pytest.raises(InvalidSnapshot, match="version: must be below 2"):
        snapshot_op(envelope)
    with pytest.raises(InvalidSnapshot, match="version: must be below 2"):
        decode_snapshot_op(envelope.to_json())
    assert snapshot_op(snapshot_envelope(property_snapshot(), version=2**31 - 1)) is not None
