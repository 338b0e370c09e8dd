"""The `properties` consumer against real Kafka and Elasticsearch: property events in
the contract's shape go to a throwaway topic, the registered consumer (on that topic)
writes them to a throwaway alias, and the tests look at what a search can find."""

import threading

import pytest
from django.test import Client

from rentezy_common.search.client import get_client
from rentezy_common.search.documents import build_document
from rentezy_common.search.indices import alias_targets, bootstrap_index_name, ensure_alias
from rentezy_common.search.testing import property_snapshot, snapshot_envelope
from tests.conftest import (
    consumer_spec,
    dead_letter_reasons,
    produce,
    run_consumer,
    searchable_ids,
    stored,
)

# The consumer closes its database connection when it stops (the runner's
# close_old_connections), and the handlers read the availability table: a test that runs
# it twice needs real transactions, not one rolled back at the end.
pytestmark = pytest.mark.django_db(transaction=True)


def test_published_property_becomes_searchable(topic, search_alias_name):
    listing = property_snapshot(title="Sunny 2BHK near Cubbon Park")
    produce(topic, [snapshot_envelope(listing, version=3)])

    assert alias_targets(search_alias_name) == []
    run_consumer(consumer_spec(topic), messages=1)

    # The consumer bootstrapped the alias on start, then indexed through it.
    assert alias_targets(search_alias_name) == [bootstrap_index_name(search_alias_name)]
    assert searchable_ids(search_alias_name) == {listing["id"]}
    document = stored(search_alias_name, listing["id"])
    # The event version, and in the external version's high bits (no availability yet).
    assert (document["version"], document["_version"]) == (3, 3 << 32)
    assert document["title"] == "Sunny 2BHK near Cubbon Park"
    assert document["searchable"] is True
    assert document["available_units"] == 3


def test_update_replaces_the_document(topic, search_alias):
    listing = property_snapshot(title="Old title")
    updated = {**listing, "title": "Renovated loft", "monthly_price": "31000.00"}
    produce(
        topic,
        [
            snapshot_envelope(listing, version=1),
            snapshot_envelope(updated, version=2, event_type="property.updated"),
        ],
    )
    run_consumer(consumer_spec(topic), messages=2)

    document = stored(search_alias, listing["id"])
    assert (document["version"], document["title"], document["monthly_price"]) == (
        2,
        "Renovated loft",
        "31000.00",
    )
    client = get_client()
    hits = client.search(index=search_alias, query={"match": {"title": "old"}})["hits"]
    assert hits["total"]["value"] == 0


def test_unpublished_and_deleted_properties_leave_search_for_good(topic, search_alias):
    unpublished = property_snapshot()
    deleted = property_snapshot()
    stays = property_snapshot()
    first = [snapshot_envelope(s, version=1) for s in (unpublished, deleted, stays)]
    produce(topic, first)
    spec = consumer_spec(topic)
    run_consumer(spec, messages=3)
    assert searchable_ids(search_alias) == {unpublished["id"], deleted["id"], stays["id"]}

    produce(
        topic,
        [
            snapshot_envelope({**unpublished, "status": "archived"}, version=2),
            snapshot_envelope({**deleted, "status": "deleted"}, version=2),
        ],
    )
    run_consumer(spec, messages=2)
    assert searchable_ids(search_alias) == {stays["id"]}
    # A versioned tombstone, not a delete: it remembers version 2 for good.
    tombstone = stored(search_alias, deleted["id"])
    assert (tombstone["version"], tombstone["_version"]) == (2, 2 << 32)
    assert tombstone["searchable"] is False
    assert tombstone["status"] == "deleted"
    assert "title" not in tombstone

    # The old "published" events replayed (a rewound consumer, a stray redelivery)
    # cannot bring them back.
    produce(topic, first[:2])
    run_consumer(spec, messages=2)
    assert searchable_ids(search_alias) == {stays["id"]}


def test_drafts_never_appear(topic, search_alias):
    draft = property_snapshot(status="draft", published_at=None)
    produce(
        topic,
        [
            snapshot_envelope(draft, version=1),
            snapshot_envelope({**draft, "title": "Still a draft"}, version=2),
        ],
    )
    run_consumer(consumer_spec(topic), messages=2)
    assert searchable_ids(search_alias) == set()
    assert stored(search_alias, draft["id"])["status"] == "draft"


@pytest.mark.parametrize("batch_size", [1, 1000], ids=["one-per-bulk", "batched"])
def test_replayed_and_reordered_events_leave_the_newest_snapshot(
    kafka_topic, search_alias, batch_size
):
    # One partition so the topic order is exactly the order below.
    topic = kafka_topic("property-events-order", partitions=1)
    listing = property_snapshot(title="v1")
    versions = {
        1: listing,
        2: {**listing, "title": "v2", "bedrooms": 3},
        3: {**listing, "title": "v3", "bedrooms": 4, "amenities": ["gym"]},
    }
    gone = property_snapshot()
    events = [
        snapshot_envelope(versions[3], version=3),
        snapshot_envelope(versions[1], version=1),
        snapshot_envelope(versions[2], version=2),
        snapshot_envelope({**gone, "status": "deleted"}, version=2),
        snapshot_envelope(gone, version=1),
    ]
    produce(topic, events + events)  # out of order, and everything twice
    run_consumer(consumer_spec(topic, batch_size=batch_size), messages=len(events) * 2)

    document = stored(search_alias, listing["id"])
    assert document.pop("_version") == 3 << 32
    assert document == build_document(versions[3], version=3)
    assert searchable_ids(search_alias) == {listing["id"]}


def test_malformed_messages_go_to_the_dead_letter_topic_and_the_next_is_indexed(
    kafka_topic, search_alias
):
    topic = kafka_topic("property-events-bad", partitions=1)
    no_title = property_snapshot()
    del no_title["title"]
    bad_location = property_snapshot(location={"lat": 123.0, "lon": 77.6})
    good = property_snapshot()
    produce(
        topic,
        [
            b"\xff definitely not an envelope",
            snapshot_envelope(no_title, version=1),
            snapshot_envelope(bad_location, version=1),
            snapshot_envelope(good, version=1),
        ],
    )
    spec = consumer_spec(topic)
    runner = run_consumer(spec, messages=4)

    assert searchable_ids(search_alias) == {good["id"]}
    assert runner.stats["dead_lettered"] == 3
    reasons = dead_letter_reasons(spec.dlq, expected=3)
    assert reasons == [
        (
            b"InvalidEnvelope",
            b"not JSON: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
        (b"InvalidSnapshot", b"location.lat: must be between -90 and 90"),
        (b"InvalidSnapshot", b"title: is missing"),
    ]


def test_elasticsearch_outage_stalls_the_consumer_instead_of_dead_lettering(
    topic, search_alias, settings
):
    """While Elasticsearch is unreachable the consumer waits and retries; nothing goes
    to the dead-letter topic, and the event is indexed once it is back."""
    listing = property_snapshot()
    produce(topic, [snapshot_envelope(listing, version=1)])
    real_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"  # nothing listens there
    restore = threading.Timer(2.0, lambda: setattr(settings, "ELASTICSEARCH_URL", real_url))
    restore.start()
    try:
        # No start hook: the alias exists, and the outage must meet the batch handler.
        runner = run_consumer(consumer_spec(topic, max_attempts=1, on_start=None), messages=1)
    finally:
        restore.cancel()
        settings.ELASTICSEARCH_URL = real_url
    assert runner.stats["dead_lettered"] == 0
    assert runner.stats["retries"] >= 1
    assert searchable_ids(search_alias) == {listing["id"]}


def test_consumers_starting_together_bootstrap_one_index(search_alias_name):
    results, errors = [], []

    def start():
        try:
            results.append(ensure_alias(search_alias_name))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(results) == {bootstrap_index_name(search_alias_name)}
    assert alias_targets(search_alias_name) == [bootstrap_index_name(search_alias_name)]


def test_readiness_reports_the_index_and_the_consumer_lag(search_alias):
    response = Client().get("/readyz")
    assert response.status_code == 200, response.json()
    check = response.json()["checks"]["search_index"]
    assert check["ok"] is True
    assert check["alias"] == search_alias
    assert check["index"] == bootstrap_index_name(search_alias)
    assert check["cluster_status"] in ("green", "yellow")
    lag = check["consumer_lag"]
    assert lag["group"] == "search_consumer.properties"
    assert isinstance(lag["total"], int)
    assert lag["total"] == sum(lag["partitions"].values())
    assert len(lag["partitions"]) == 6  # property-events has six partitions
    lag = check["availability_lag"]
    assert lag["group"] == "search_consumer.availability"
    assert lag["total"] == sum(lag["partitions"].values())
    assert set(lag["partitions"]) == {f"booking-events/{p}" for p in range(6)}
