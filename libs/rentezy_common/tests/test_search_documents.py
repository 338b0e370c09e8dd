"""The search document builder and bulk encoding (no Elasticsearch needed here; the
search services' tests run them against the real server)."""

import dataclasses
import json

import pytest

from rentezy_common.events.envelope import InvalidEnvelope
from rentezy_common.search.documents import InvalidSnapshot, build_document, tiebreak
from rentezy_common.search.schema import MAPPINGS
from rentezy_common.search.testing import property_snapshot, snapshot_envelope
from rentezy_common.search.writer import (
    IndexOp,
    bulk_body,
    decode_snapshot_op,
    newest_per_document,
    snapshot_op,
)


def test_published_snapshot_becomes_a_searchable_document():
    snapshot = property_snapshot(
        monthly_price="25000",
        rooms=[
            {"id": "r1", "name": "Single", "total_units": 2, "monthly_price": "9000.5"},
            {"id": "r2", "name": "Double", "total_units": 3},
        ],
        amenities=["wifi", "parking", "wifi"],
        available_from="2026-12-01",
        created_at="2026-11-27 10:00:00+00:00",
    )
    document = build_document(snapshot, version=7)
    assert document["searchable"] is True
    assert document["version"] == 7
    assert document["monthly_price"] == "25000.00"
    assert document["amenities"] == ["parking", "wifi"]
    assert document["total_units"] == document["available_units"] == 5
    assert [room["available_units"] for room in document["rooms"]] == [2, 3]
    assert document["rooms"][0]["monthly_price"] == "9000.50"
    assert document["address"]["city"] == "Bengaluru"
    assert document["location"] == {"lat": 12.9719, "lon": 77.6412}
    assert document["created_at"] == "2026-11-27T10:00:00+00:00"  # Elasticsearch's form
    assert document["tiebreak"] == tiebreak(snapshot["id"])
    # Only mapped fields: the index is `dynamic: strict`.
    assert set(document) <= set(MAPPINGS["properties"])


@pytest.mark.parametrize("status", ["draft", "archived", "deleted"])
def test_anything_not_published_becomes_a_tombstone(status):
    snapshot = property_snapshot(status=status, location=None, title="")
    document = build_document(snapshot, version=3)
    assert document == {
        "id": snapshot["id"],
        "owner_id": "42",
        "status": status,
        "searchable": False,
        "version": 3,
        "updated_at": document["updated_at"],
    }


def test_deleted_event_is_a_tombstone_whatever_the_status_says():
    document = build_document(property_snapshot(), version=2, event_type="property.deleted")
    assert (document["searchable"], document["status"]) == (False, "deleted")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"status": "sold"}, "status"),
        ({"address": None}, "address"),
        ({"address": {"city": ""}}, "address.city"),
        ({"location": {"lat": 95, "lon": 10}}, "location.lat"),
        ({"location": {"lat": "north", "lon": 10}}, "location.lat"),
        ({"monthly_price": "cheap"}, "monthly_price"),
        ({"monthly_price": "-1"}, "monthly_price"),
        ({"bedrooms": 1.5}, "bedrooms"),
        ({"bedrooms": True}, "bedrooms"),
        ({"currency": "rupees"}, "currency"),
        ({"furnished": "yes"}, "furnished"),
        ({"available_from": "soon"}, "available_from"),
        ({"rooms": [{"id": "r", "total_units": -1}]}, "rooms[0].total_units"),
        ({"rooms": "many"}, "rooms"),
        ({"published_at": "yesterday"}, "published_at"),
    ],
)
def test_invalid_published_snapshots_name_the_field(change, field):
    with pytest.raises(InvalidSnapshot) as caught:
        build_document({**property_snapshot(), **change}, version=1)
    assert caught.value.field == field


def test_missing_required_field_is_named():
    snapshot = property_snapshot()
    del snapshot["monthly_price"]
    with pytest.raises(InvalidSnapshot, match="monthly_price: is missing"):
        build_document(snapshot, version=1)


def test_snapshot_op_checks_the_envelope_against_its_payload():
    snapshot = property_snapshot()
    envelope = snapshot_envelope(snapshot, version=4)
    op = snapshot_op(envelope)
    assert (op.doc_id, op.version, op.event_id) == (snapshot["id"], 4, envelope.id)

    mismatched = dataclasses.replace(
        snapshot_envelope({**snapshot, "id": "someone-else"}), aggregate_id=snapshot["id"]
    )
    with pytest.raises(InvalidSnapshot, match="aggregate_id"):
        snapshot_op(mismatched)

    assert snapshot_op(dataclasses.replace(envelope, aggregate_type="room")) is None


def test_fast_decoder_agrees_with_the_envelope_path():
    envelope = snapshot_envelope(property_snapshot(), version=9)
    assert decode_snapshot_op(envelope.to_json()) == snapshot_op(envelope)
    with pytest.raises(InvalidEnvelope):
        decode_snapshot_op(b"\xff not json")
    with pytest.raises(InvalidEnvelope):
        decode_snapshot_op(json.dumps({**envelope.to_dict(), "version": 0}).encode())
    with pytest.raises(InvalidEnvelope):
        decode_snapshot_op(json.dumps({**envelope.to_dict(), "id": "x"}).encode())


def test_newest_per_document_keeps_the_highest_version():
    ops = [IndexOp("a", 3, {}), IndexOp("b", 1, {}), IndexOp("a", 5, {}), IndexOp("a", 4, {})]
    assert newest_per_document(ops) == [IndexOp("a", 5, {}), IndexOp("b", 1, {})]


def test_bulk_body_is_ndjson_with_external_versions():
    with_rooms = {"rooms": [{"id": "r1", "availability_version": 5}, {"id": "r2"}]}
    body = bulk_body([IndexOp("p-1", 3, {"title": "Café"}), IndexOp("p-2", 1, with_rooms)])
    lines = body.decode().split("\n")
    # The property version in the high 32 bits, the rooms' availability versions below.
    assert [json.loads(line) for line in lines[:-1]] == [
        {"index": {"_id": "p-1", "version": 3 << 32, "version_type": "external"}},
        {"title": "Café"},
        {"index": {"_id": "p-2", "version": (1 << 32) + 5, "version_type": "external"}},
        with_rooms,
    ]
    assert lines[-1] == ""  # the body ends with a newline, as _bulk requires
