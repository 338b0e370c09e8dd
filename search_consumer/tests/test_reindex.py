"""Reindex from the compacted topic: a new index, built while searches keep being served
through the alias, swapped in atomically, with the events that arrive meanwhile."""

import io
import json
import random
import threading

import pytest
from django.core.management import call_command
from indexer.reindex import reindex

from rentezy_common.search.client import get_client
from rentezy_common.search.indices import (
    AliasSwapConflict,
    alias_targets,
    bootstrap_index_name,
    create_index,
    new_index_name,
    swap_alias,
)
from rentezy_common.search.testing import property_snapshot, snapshot_envelope
from tests.conftest import consumer_spec, produce, run_consumer, stored

# The consumer closes its database connection when it stops (the runner's
# close_old_connections), and the handlers read the availability table: a test that runs
# it twice needs real transactions, not one rolled back at the end.
pytestmark = pytest.mark.django_db(transaction=True)

SEARCHABLE = {"term": {"searchable": True}}


def index_contents(alias: str) -> list[tuple]:
    """Every document behind the alias (tombstones too) with its version and source."""
    client = get_client()
    client.indices.refresh(index=alias)
    hits = client.search(
        index=alias, query={"match_all": {}}, size=10_000, sort=["id"], version=True
    )["hits"]["hits"]
    return [(hit["_id"], hit["_version"], hit["_source"]) for hit in hits]


def seed(topic: str, count: int) -> tuple[list, int]:
    """Publish `count` listings (some updated, some unpublished, deleted or drafts) and
    one garbage message; returns the events and the number of searchable listings."""
    rng = random.Random(7)
    events, searchable = [], 0
    for i in range(count):
        listing = property_snapshot(
            title=f"Listing {i}", monthly_price=f"{rng.randint(5, 90) * 1000}.00"
        )
        fate = i % 10
        if fate == 0:
            events.append(snapshot_envelope({**listing, "status": "draft"}, version=1))
            continue
        events.append(snapshot_envelope(listing, version=1))
        if fate == 1:
            events.append(snapshot_envelope({**listing, "status": "deleted"}, version=2))
        elif fate == 2:
            events.append(snapshot_envelope({**listing, "status": "archived"}, version=2))
        else:
            searchable += 1
            if fate == 3:
                events.append(snapshot_envelope({**listing, "title": f"Listing {i} v2"}, version=2))
    produce(topic, [*events, b"not an envelope"])
    return events, searchable


def test_reindex_swaps_atomically_while_searches_run(topic, search_alias_name):
    events, searchable = seed(topic, 1500)
    run_consumer(consumer_spec(topic), messages=len(events) + 1)
    old_index = bootstrap_index_name(search_alias_name)
    before = index_contents(search_alias_name)
    assert len(before) == 1500

    client = get_client()
    stop = threading.Event()
    observed, errors = [], []

    def search_loop():
        while not stop.is_set():
            try:
                targets = list(client.indices.get_alias(name=search_alias_name).body)
                total = client.search(
                    index=search_alias_name, query=SEARCHABLE, size=0, track_total_hits=True
                )["hits"]["total"]["value"]
                observed.append((tuple(targets), total))
            except Exception as exc:
                errors.append(exc)

    searcher = threading.Thread(target=search_loop)
    searcher.start()
    try:
        result = reindex(topic=topic, grace_seconds=1.0)
    finally:
        stop.set()
        searcher.join(30)

    assert errors == []
    assert len(observed) > 10
    # The alias always named exactly one index: the old one, then the new one, never
    # neither, never both, never back; and every search saw every listing.
    indices = [targets for targets, _ in observed]
    assert {len(targets) for targets in indices} == {1}
    switch = indices.index((result.index,)) if (result.index,) in indices else len(indices)
    assert set(indices[:switch]) <= {(old_index,)}
    assert set(indices[switch:]) <= {(result.index,)}
    assert {total for _, total in observed} == {searchable}

    assert alias_targets(search_alias_name) == [result.index]
    assert index_contents(search_alias_name) == before
    assert result.previous == [old_index]
    assert result.deleted == [old_index]
    assert not client.indices.exists(index=old_index)
    assert result.events == len(events) + 1
    assert result.skipped == 1  # the garbage message
    # Live settings restored after the bulk load.
    live = client.indices.get_settings(index=result.index)[result.index]["settings"]["index"]
    assert live["refresh_interval"] == "1s"
    assert live["number_of_replicas"] == "0"


def test_events_arriving_during_the_reindex_are_included(topic, search_alias):
    updated, deleted, other = (property_snapshot() for _ in range(3))
    produce(topic, [snapshot_envelope(s, version=1) for s in (updated, deleted, other)])
    new_during_build = property_snapshot(title="Arrived during the build")
    new_after_swap = property_snapshot(title="Arrived after the swap")

    def on_phase(name, result):
        # Nobody consumes these but the reindex itself: its catch-up must find them.
        if name == "built":
            produce(
                topic,
                [
                    snapshot_envelope({**updated, "title": "Changed meanwhile"}, version=2),
                    snapshot_envelope({**deleted, "status": "deleted"}, version=2),
                    snapshot_envelope(new_during_build, version=1),
                ],
            )
        elif name == "swapped":
            produce(topic, [snapshot_envelope(new_after_swap, version=1)])

    result = reindex(topic=topic, grace_seconds=0, on_phase=on_phase)

    assert alias_targets(search_alias) == [result.index]
    ids = {
        hit["_id"]
        for hit in get_client().search(index=search_alias, query=SEARCHABLE, size=100)["hits"][
            "hits"
        ]
    }
    assert ids == {updated["id"], other["id"], new_during_build["id"], new_after_swap["id"]}
    assert stored(search_alias, updated["id"])["title"] == "Changed meanwhile"
    assert stored(search_alias, deleted["id"])["version"] == 2


def test_a_concurrent_swap_wins_and_the_reindex_backs_out(topic, search_alias):
    produce(topic, [snapshot_envelope(property_snapshot(), version=1)])
    other = new_index_name(search_alias)
    built = {}

    def on_phase(name, result):
        if name == "caught_up":  # another reindex swaps first
            built["index"] = result.index
            create_index(other)
            swap_alias(other, expected=alias_targets(search_alias), alias=search_alias)

    with pytest.raises(AliasSwapConflict):
        reindex(topic=topic, grace_seconds=0, on_phase=on_phase)
    assert alias_targets(search_alias) == [other]
    assert not get_client().indices.exists(index=built["index"])


def test_reindex_command_creates_the_alias_on_a_fresh_cluster(topic, search_alias_name):
    listing = property_snapshot()
    produce(topic, [snapshot_envelope(listing, version=4)])
    out = io.StringIO()
    call_command("reindex", "--topic", topic, "--grace-seconds", "0", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["previous"] == []
    assert summary["events"] == 1
    assert alias_targets(search_alias_name) == [summary["index"]]
    assert stored(search_alias_name, listing["id"])["version"] == 4
