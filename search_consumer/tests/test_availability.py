"""Room availability from booking-events, against real Kafka, PostgreSQL and Elasticsearch:
`inventory.changed` events in the contract's shape go to a throwaway topic, the
registered `availability` consumer (on that topic) stores them and updates the property
documents that the `properties` consumer indexes, and the tests look at what an
`available=true` search (search_service's filter: `available_units > 0`) finds."""

import copy
import dataclasses
import threading
import uuid
from datetime import UTC, datetime

import pytest
from indexer import services
from indexer.models import RoomAvailability
from indexer.reindex import reindex

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.search.client import get_client
from rentezy_common.search.indices import bootstrap_index_name
from rentezy_common.search.schema import index_body
from rentezy_common.search.testing import (
    inventory_envelope,
    property_snapshot,
    snapshot_envelope,
)
from tests.conftest import (
    availability_spec,
    consumer_spec,
    dead_letter_reasons,
    produce,
    run_consumer,
    stored,
)

# The consumer closes its database connection when it stops (the runner's
# close_old_connections), and the handlers read the availability table: a test that runs
# it twice needs real transactions, not one rolled back at the end.
pytestmark = pytest.mark.django_db(transaction=True)

# search_service's `available=true` filter (property_search.selectors).
AVAILABLE = {"range": {"available_units": {"gt": 0}}}


def available_ids(alias: str) -> set[str]:
    """Ids an `available=true` search finds."""
    client = get_client()
    client.indices.refresh(index=alias)
    response = client.search(
        index=alias,
        query={"bool": {"filter": [{"term": {"searchable": True}}, AVAILABLE]}},
        size=1000,
        source=False,
    )
    return {hit["_id"] for hit in response["hits"]["hits"]}


def room(listing, index=0) -> str:
    return listing["rooms"][index]["id"]


def inventory(listing, available, *, index=0, total=3, **fields):
    """`inventory.changed` of the listing's `index`-th room."""
    return inventory_envelope(
        room_id=room(listing, index),
        property_id=listing["id"],
        available_units=available,
        total_units=total,
        **fields,
    )


def two_rooms():
    return [
        {"id": str(uuid.uuid4()), "name": "Single", "total_units": 2},
        {"id": str(uuid.uuid4()), "name": "Double", "total_units": 3},
    ]


def units(document) -> tuple:
    """(the document's available_units, [(room available_units, availability version)])."""
    return document["available_units"], [
        (r["available_units"], r.get("availability_version", 0)) for r in document["rooms"]
    ]


def index_listings(topic, *listings, version=1, spec=None):
    """Index listings with the `properties` consumer (`spec`: one that already ran, so
    it continues from its committed offsets)."""
    produce(topic, [snapshot_envelope(listing, version=version) for listing in listings])
    run_consumer(spec or consumer_spec(topic), messages=len(listings))


def test_inventory_changes_reach_the_documents_and_the_available_filter(
    topic, booking_topic, search_alias
):
    full, partly, closed = (
        property_snapshot(rooms=two_rooms()),
        property_snapshot(),
        property_snapshot(),
    )
    index_listings(topic, full, partly, closed)
    assert available_ids(search_alias) == {full["id"], partly["id"], closed["id"]}

    produce(
        booking_topic,
        [
            inventory(full, 0, index=0, total=2),
            inventory(full, 0, index=1),
            inventory(partly, 1),
            inventory(closed, 3, bookable=False),  # e.g. the room was removed
        ],
    )
    spec = availability_spec(booking_topic)
    run_consumer(spec, messages=4)

    assert available_ids(search_alias) == {partly["id"]}
    assert units(stored(search_alias, full["id"])) == (0, [(0, 1), (0, 1)])
    assert units(stored(search_alias, partly["id"])) == (1, [(1, 1)])
    assert units(stored(search_alias, closed["id"])) == (0, [(0, 1)])
    # Same snapshot (version 1), availability versions 1 + 1 in the low bits.
    assert stored(search_alias, full["id"])["_version"] == (1 << 32) + 2
    row = RoomAvailability.objects.get(room_id=room(full, 1))
    assert (str(row.property_id), row.total_units, row.available_units, row.version) == (
        full["id"],
        3,
        0,
        1,
    )

    # A cancellation gives units back: the listing is available again.
    produce(booking_topic, [inventory(full, 2, index=1, version=2)])
    run_consumer(spec, messages=1)
    assert available_ids(search_alias) == {full["id"], partly["id"]}
    assert units(stored(search_alias, full["id"])) == (2, [(0, 1), (2, 2)])


@pytest.mark.parametrize("batch_size", [1, 1000], ids=["one-per-batch", "batched"])
def test_older_or_replayed_inventory_never_regresses(kafka_topic, topic, search_alias, batch_size):
    booking_topic = kafka_topic("booking-events-order", partitions=1)  # exactly this order
    listing = property_snapshot()
    index_listings(topic, listing)
    events = [
        inventory(listing, 1, version=3),
        inventory(listing, 3, version=1),
        inventory(listing, 2, version=2),
    ]
    produce(booking_topic, events + events)
    spec = availability_spec(booking_topic, batch_size=batch_size)
    run_consumer(spec, messages=len(events) * 2)

    assert units(stored(search_alias, listing["id"])) == (1, [(1, 3)])
    row = RoomAvailability.objects.get(room_id=room(listing))
    assert (row.available_units, row.version) == (1, 3)

    # Replayed again later, one at a time, against the stored version 3.
    produce(booking_topic, events[1:])
    run_consumer(spec, messages=2)
    assert units(stored(search_alias, listing["id"])) == (1, [(1, 3)])
    assert RoomAvailability.objects.get(room_id=room(listing)).version == 3


def test_a_property_update_keeps_the_availability(topic, booking_topic, search_alias):
    listing = property_snapshot(rooms=two_rooms())
    properties = consumer_spec(topic)
    index_listings(topic, listing, spec=properties)
    produce(
        booking_topic,
        [inventory(listing, 0, index=0, total=2), inventory(listing, 1, index=1)],
    )
    run_consumer(availability_spec(booking_topic), messages=2)
    assert units(stored(search_alias, listing["id"])) == (1, [(0, 1), (1, 1)])

    # The landlord renames it and adds a room: the new room has all its units free.
    added = {"id": str(uuid.uuid4()), "name": "Suite", "total_units": 4}
    renamed = {**listing, "title": "Renovated", "rooms": [*listing["rooms"], added]}
    produce(topic, [snapshot_envelope(renamed, version=2, event_type="property.updated")])
    run_consumer(properties, messages=1)
    document = stored(search_alias, listing["id"])
    assert document["title"] == "Renovated"
    assert units(document) == (5, [(0, 1), (1, 1), (4, 0)])

    # Then removes the double room: its stored availability no longer counts.
    removed = {**renamed, "rooms": [renamed["rooms"][0], added]}
    produce(topic, [snapshot_envelope(removed, version=3, event_type="property.updated")])
    run_consumer(properties, messages=1)
    assert units(stored(search_alias, listing["id"])) == (4, [(0, 1), (4, 0)])
    assert available_ids(search_alias) == {listing["id"]}


def test_inventory_of_an_unknown_property_is_kept_until_the_property_arrives(
    topic, booking_topic, search_alias
):
    listing = property_snapshot()
    produce(booking_topic, [inventory(listing, 0, version=4)])
    run_consumer(availability_spec(booking_topic), messages=1)
    assert RoomAvailability.objects.filter(property_id=listing["id"]).count() == 1
    assert not get_client().exists(index=search_alias, id=listing["id"])

    index_listings(topic, listing)
    assert units(stored(search_alias, listing["id"])) == (0, [(0, 4)])
    assert available_ids(search_alias) == set()


def test_malformed_inventory_events_go_to_the_dead_letter_topic(kafka_topic, topic, search_alias):
    booking_topic = kafka_topic("booking-events-bad", partitions=1)
    listing = property_snapshot()
    index_listings(topic, listing)
    other_room = inventory(listing, 0)
    produce(
        booking_topic,
        [
            b"\xff not an envelope",
            inventory(listing, 5),  # more than the 3 units
            inventory_envelope(
                room_id=room(listing), property_id="p-1", available_units=0, total_units=3
            ),
            dataclasses.replace(other_room, aggregate_id=str(uuid.uuid4())),  # another room
            inventory(listing, 1, version=2),
        ],
    )
    spec = availability_spec(booking_topic)
    runner = run_consumer(spec, messages=5)

    assert runner.stats["dead_lettered"] == 4
    reasons = dead_letter_reasons(spec.dlq, expected=4)
    assert reasons == [
        (
            b"InvalidEnvelope",
            b"not JSON: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
        (b"InvalidInventory", b"available_units: must not exceed total_units"),
        (b"InvalidInventory", b"property_id: must be a UUID string"),
        (b"InvalidInventory", b"room_id: must equal the event's aggregate_id"),
    ]
    # The valid one in the same batch was applied.
    assert units(stored(search_alias, listing["id"])) == (1, [(1, 2)])


def test_booking_events_are_ignored(topic, booking_topic, search_alias):
    listing = property_snapshot()
    index_listings(topic, listing)
    before = stored(search_alias, listing["id"])
    booking = {
        "id": str(uuid.uuid4()),
        "status": "PENDING",
        "previous_status": None,
        "tenant_id": "42",
        "owner_id": "17",
        "property_id": listing["id"],
        "room_id": room(listing),
        "quantity": 3,
        "move_in_date": "2026-12-01",
    }
    events = [
        EventEnvelope(
            id=uuid.uuid4(),
            type=event_type,
            source="booking",
            aggregate_type="booking",
            aggregate_id=booking["id"],
            version=version,
            occurred_at=datetime.now(UTC),
            payload={**booking, "status": status},
        )
        for version, (event_type, status) in enumerate(
            [("booking.held", "PENDING"), ("booking.confirmed", "CONFIRMED")], start=1
        )
    ]
    produce(booking_topic, events)
    runner = run_consumer(availability_spec(booking_topic), messages=2)

    assert runner.stats["dead_lettered"] == 0
    assert not RoomAvailability.objects.filter(property_id=listing["id"]).exists()
    assert stored(search_alias, listing["id"]) == before
    assert available_ids(search_alias) == {listing["id"]}


def test_availability_committed_while_a_property_is_indexed_is_not_lost(search_alias, monkeypatch):
    """The race between the two consumers: an availability change is committed and
    applied to the current document right after the property handler read the table,
    then the property handler writes its newer snapshot with the old availability. Its
    second read of the table must put the change back."""
    listing = property_snapshot()
    services.index_events([snapshot_envelope(listing, version=1)])
    real = services.availability_by_property
    calls = []
    racing = threading.Event()

    def availability_by_property(property_ids):
        found = real(property_ids)
        if racing.is_set():  # the availability consumer's own read
            return found
        calls.append(found)
        if len(calls) == 1:  # right after the property handler's first read
            racing.set()
            services.availability_events([inventory(listing, 0)])  # the other consumer
            racing.clear()
            assert units(stored(search_alias, listing["id"])) == (0, [(0, 1)])
        return found

    monkeypatch.setattr(services, "availability_by_property", availability_by_property)
    renamed = {**listing, "title": "Renamed meanwhile"}
    assert services.index_events([snapshot_envelope(renamed, version=2)]) == {}

    assert len(calls) == 2  # one SELECT before the write, one after
    document = stored(search_alias, listing["id"])
    assert document["title"] == "Renamed meanwhile"
    assert units(document) == (0, [(0, 1)])
    assert document["_version"] == (2 << 32) + 1


def test_reindex_keeps_availability(topic, booking_topic, search_alias):
    stored_before, changed_during = property_snapshot(), property_snapshot()
    index_listings(topic, stored_before, changed_during)
    produce(booking_topic, [inventory(stored_before, 0)])
    run_consumer(availability_spec(booking_topic), messages=1)
    seen = {}

    def on_phase(name, result):
        if name == "built":
            # The live availability consumer writes through the alias: the old index.
            services.availability_events([inventory(changed_during, 1)])
        elif name == "caught_up":  # the new index, before it goes live
            seen["new"] = units(
                get_client().get(index=result.index, id=stored_before["id"])["_source"]
            )

    result = reindex(topic=topic, grace_seconds=0, on_phase=on_phase)

    assert seen["new"] == (0, [(0, 1)])  # built with the table's availability
    assert result.previous == [bootstrap_index_name(search_alias)]
    assert units(stored(search_alias, stored_before["id"])) == (0, [(0, 1)])
    assert units(stored(search_alias, changed_during["id"])) == (1, [(1, 1)])
    assert available_ids(search_alias) == {changed_during["id"]}
    assert result.with_availability >= 1
    assert result.availability_reapplied >= 1


def test_elasticsearch_outage_stalls_the_availability_consumer(
    topic, booking_topic, search_alias, settings
):
    listing = property_snapshot()
    index_listings(topic, listing)
    produce(booking_topic, [inventory(listing, 0)])
    real_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"  # nothing listens there
    restore = threading.Timer(2.0, lambda: setattr(settings, "ELASTICSEARCH_URL", real_url))
    restore.start()
    try:
        spec = availability_spec(booking_topic, max_attempts=1, on_start=None)
        runner = run_consumer(spec, messages=1)
    finally:
        restore.cancel()
        settings.ELASTICSEARCH_URL = real_url
    assert runner.stats["dead_lettered"] == 0
    assert runner.stats["retries"] >= 1
    assert available_ids(search_alias) == set()


def test_an_index_created_before_availability_gets_the_new_field(
    topic, booking_topic, search_alias_name
):
    """A live index made with the previous mapping (no rooms.availability_version,
    `dynamic: strict`): the consumer's start adds the field, so updates are accepted."""
    body = copy.deepcopy(index_body(replicas=0))  # the schema's own dicts otherwise
    del body["mappings"]["properties"]["rooms"]["properties"]["availability_version"]
    index = bootstrap_index_name(search_alias_name)
    client = get_client()
    client.indices.create(index=index, **body)
    client.indices.update_aliases(actions=[{"add": {"index": index, "alias": search_alias_name}}])
    listing = property_snapshot()
    produce(topic, [snapshot_envelope(listing)])
    run_consumer(consumer_spec(topic, on_start=None), messages=1)  # leaves the mapping

    produce(booking_topic, [inventory(listing, 0)])
    run_consumer(availability_spec(booking_topic), messages=1)

    mapping = client.indices.get_mapping(index=index)[index]["mappings"]
    assert "availability_version" in mapping["properties"]["rooms"]["properties"]
    assert units(stored(search_alias_name, listing["id"])) == (0, [(0, 1)])
