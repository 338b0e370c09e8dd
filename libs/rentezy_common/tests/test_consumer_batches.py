"""Batch handlers, rejected events, unavailable dependencies and the start hook of the
consumer runner, against real Kafka and PostgreSQL."""

import uuid

import pytest
from django.db import connection

from rentezy_common.events.consumer import (
    ConsumerSpec,
    RejectedEvent,
    replay_dead_letters,
)
from rentezy_common.testing.kafka import read_topic
from rentezy_common.testing.kafka import run_consumer as run
from tests.events_helpers import envelope, produce
from tests.testapp import handlers
from tests.testapp.models import Counter

pytestmark = pytest.mark.django_db(transaction=True)


def batch_spec(topic, **overrides):
    return ConsumerSpec(
        name=f"test-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        batch_handler=overrides.pop("batch_handler", handlers.count_batch),
        max_attempts=overrides.pop("max_attempts", 3),
        backoff_initial=0.02,
        backoff_max=0.1,
        **overrides,
    )


def counters():
    return dict(Counter.objects.values_list("name", "value"))


def ledger_count(group, event_ids=None):
    with connection.cursor() as cursor:
        if event_ids is None:
            cursor.execute(
                "SELECT count(*) FROM rentezy_events_processedevent WHERE consumer = %s", [group]
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM rentezy_events_processedevent "
                "WHERE consumer = %s AND event_id = ANY(%s)",
                [group, list(event_ids)],
            )
        return cursor.fetchone()[0]


def test_spec_needs_exactly_one_handler():
    with pytest.raises(ValueError, match="exactly one"):
        ConsumerSpec(name="both", topics=["t"], handler=handlers.count, batch_handler=len)
    with pytest.raises(ValueError, match="exactly one"):
        ConsumerSpec(name="neither", topics=["t"])


def test_batch_handler_is_called_once_per_batch(kafka_topic):
    topic = kafka_topic("batches", partitions=1)
    produce(topic, [envelope(f"k{i}") for i in range(60)])
    runner = run(batch_spec(topic, batch_size=25), messages=60)
    assert counters() == {f"k{i}": 1 for i in range(60)}
    assert sum(handlers.BATCH_SIZES) == 60
    assert len(handlers.BATCH_SIZES) < 60, "every event was handled in a batch of its own"
    assert max(handlers.BATCH_SIZES) <= 25
    assert runner.stats["handled"] == 60


def test_rejected_and_undecodable_messages_are_dead_lettered_and_the_rest_handled(
    kafka_topic,
):
    topic = kafka_topic("batch-reject", partitions=1)
    handlers.REJECT_AGGREGATES.add("bad")
    bad = envelope("bad")
    produce(topic, [envelope("good-1"), bad, b"\xff not json", envelope("good-2")])
    spec = batch_spec(topic, max_attempts=5)

    runner = run(spec, messages=4)

    assert counters() == {"good-1": 1, "good-2": 1}
    assert runner.stats["retries"] == 0  # rejected at once, not retried
    assert runner.stats["dead_lettered"] == 2
    dead = read_topic(spec.dlq, expected=2)
    by_class = {dict(m.headers())["rentezy.error.class"]: m for m in dead}
    assert set(by_class) == {b"ValueError", b"InvalidEnvelope"}
    assert by_class[b"ValueError"].value() == bad.to_json()
    assert dict(by_class[b"ValueError"].headers())["rentezy.attempts"] == b"1"
    assert b"malformed bad" in dict(by_class[b"ValueError"].headers())["rentezy.error.message"]
    # The rejected event is not in the ledger: replaying its dead letter is not a duplicate.
    assert ledger_count(spec.group, [bad.id]) == 0
    assert ledger_count(spec.group) == 2

    # Offsets were committed past all four: a restart sees only what comes next.
    produce(topic, [envelope("good-3")])
    again = run(spec, messages=1)
    assert again.stats["handled"] == 1
    assert counters() == {"good-1": 1, "good-2": 1, "good-3": 1}


def test_rejected_event_replays_through_the_batch_handler_once_fixed(kafka_topic):
    topic = kafka_topic("batch-replay", partitions=1)
    handlers.REJECT_AGGREGATES.add("bad")
    produce(topic, [envelope("bad"), envelope("good")])
    spec = batch_spec(topic)
    run(spec, messages=2)
    assert counters() == {"good": 1}

    assert replay_dead_letters(spec, timeout=10)["failed"] == 1  # still rejected
    handlers.REJECT_AGGREGATES.clear()
    assert replay_dead_letters(spec, timeout=10) == {
        "replayed": 1,
        "skipped_duplicates": 0,
        "failed": 0,
    }
    assert counters() == {"good": 1, "bad": 1}


def test_unavailable_dependency_is_waited_out_without_spending_attempts(kafka_topic):
    topic = kafka_topic("batch-unavailable", partitions=1)
    handlers.UNAVAILABLE["times"] = 4  # more than max_attempts
    produce(topic, [envelope("a"), envelope("b"), envelope("c")])
    runner = run(batch_spec(topic, max_attempts=1), messages=3)
    assert counters() == {"a": 1, "b": 1, "c": 1}
    assert runner.stats["dead_lettered"] == 0
    assert runner.stats["retries"] >= 4


def test_failing_batch_is_handled_again_one_event_at_a_time(kafka_topic):
    topic = kafka_topic("batch-poison", partitions=1)
    handlers.POISON_AGGREGATES.add("poison")
    produce(topic, [envelope("a"), envelope("poison"), envelope("b")])
    spec = batch_spec(topic, max_attempts=2)

    runner = run(spec, messages=3)

    assert counters() == {"a": 1, "b": 1}
    assert runner.stats["dead_lettered"] == 1
    [dead] = read_topic(spec.dlq, expected=1)
    headers = dict(dead.headers())
    assert headers["rentezy.error.class"] == b"RuntimeError"
    assert headers["rentezy.attempts"] == b"2"
    assert 1 in handlers.BATCH_SIZES  # the one-at-a-time calls


def test_ledger_skips_redelivered_events_unless_turned_off(kafka_topic):
    topic = kafka_topic("batch-ledger", partitions=1)
    event = envelope("twice")
    produce(topic, [event, event])

    with_ledger = batch_spec(topic)
    assert run(with_ledger, messages=2).stats["duplicates"] == 1
    assert counters() == {"twice": 1}

    without = batch_spec(topic, ledger=False)
    assert run(without, messages=2).stats["handled"] == 2
    assert counters() == {"twice": 3}
    assert ledger_count(without.group) == 0


def test_rejected_event_from_a_per_event_handler_is_dead_lettered_at_once(kafka_topic):
    topic = kafka_topic("reject-one", partitions=1)

    def strict(event):
        if event.aggregate_id == "no-title":
            raise RejectedEvent("payload invalid") from ValueError("title is missing")
        handlers.count(event)

    produce(topic, [envelope("no-title"), envelope("fine")])
    spec = ConsumerSpec(
        name=f"test-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handler=strict,
        max_attempts=5,
        backoff_initial=0.02,
    )
    runner = run(spec, messages=2)
    assert counters() == {"fine": 1}
    assert runner.stats["retries"] == 0
    [dead] = read_topic(spec.dlq, expected=1)
    headers = dict(dead.headers())
    assert headers["rentezy.error.class"] == b"ValueError"
    assert headers["rentezy.attempts"] == b"1"


def test_start_hook_runs_before_consuming_and_is_retried(kafka_topic):
    topic = kafka_topic("on-start", partitions=1)
    calls = {"n": 0}

    def hook():
        calls["n"] += 1
        if calls["n"] < 3:
            raise ConnectionError("index not reachable yet")
        assert counters() == {}  # nothing consumed before the hook succeeded

    produce(topic, [envelope("after-hook")])
    run(batch_spec(topic, on_start=hook), messages=1)
    assert calls["n"] == 3
    assert counters() == {"after-hook": 1}
