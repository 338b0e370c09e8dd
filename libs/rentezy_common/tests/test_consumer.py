"""Consumer runner against real Kafka and PostgreSQL: idempotence, retries, dead letters."""

import uuid

import pytest
from django.db import connection

from rentezy_common.events.consumer import (
    ConsumerSpec,
    DeadLetterLimitExceeded,
    replay_dead_letters,
)
from rentezy_common.testing.kafka import read_topic
from rentezy_common.testing.kafka import run_consumer as run
from tests.events_helpers import envelope, produce, run_command_until_then_sigterm
from tests.testapp import handlers
from tests.testapp.models import Counter

pytestmark = pytest.mark.django_db(transaction=True)


def spec_for(topic, **overrides):
    return ConsumerSpec(
        name=f"test-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handler=handlers.count,
        max_attempts=overrides.pop("max_attempts", 3),
        backoff_initial=0.05,
        **overrides,
    )


def counters():
    return dict(Counter.objects.values_list("name", "value"))


def test_each_event_is_handled(kafka_topic):
    topic = kafka_topic("handle")
    produce(topic, [envelope("a"), envelope("b"), envelope("a", version=2)])
    runner = run(spec_for(topic), messages=3)
    assert counters() == {"a": 2, "b": 1}
    assert runner.stats["handled"] == 3


def test_redelivered_event_changes_state_once(kafka_topic):
    topic = kafka_topic("redeliver", partitions=1)
    event = envelope("once")
    produce(topic, [event, event, event])  # e.g. a relay that re-published after a crash
    runner = run(spec_for(topic), messages=3)
    assert counters() == {"once": 1}
    assert runner.stats == {"handled": 1, "duplicates": 2, "retries": 0, "dead_lettered": 0}


def test_reprocessing_from_the_start_changes_nothing(kafka_topic):
    topic = kafka_topic("rewind")
    produce(topic, [envelope(f"k{i}") for i in range(10)])
    spec = spec_for(topic)
    run(spec, messages=10)
    before = counters()

    # Rewind the *same* group's offsets: redelivered, recognised, not reapplied.
    from confluent_kafka import Consumer, TopicPartition

    from rentezy_common.events.kafka import kafka_config

    admin_consumer = Consumer(kafka_config(**{"group.id": spec.group}))
    admin_consumer.commit(
        offsets=[TopicPartition(topic, p, 0) for p in range(3)], asynchronous=False
    )
    admin_consumer.close()
    replayed = run(spec, messages=10)
    assert replayed.stats["duplicates"] == 10
    assert replayed.stats["handled"] == 0
    assert counters() == before


def test_offsets_are_committed_after_handling(kafka_topic):
    topic = kafka_topic("commit", partitions=1)
    produce(topic, [envelope("x"), envelope("y")])
    spec = spec_for(topic)
    run(spec, messages=2)
    produce(topic, [envelope("z")])
    # A restarted consumer of the same group starts after what was handled.
    runner = run(spec, messages=1)
    assert runner.stats["handled"] == 1
    assert counters() == {"x": 1, "y": 1, "z": 1}


def test_poison_message_goes_to_dead_letter_topic_and_consumer_moves_on(kafka_topic):
    topic = kafka_topic("poison", partitions=1)
    handlers.POISON_AGGREGATES.add("bad")
    bad = envelope("bad")
    produce(topic, [envelope("good-1"), bad, envelope("good-2")])
    spec = spec_for(topic, max_attempts=3)

    runner = run(spec, messages=3)

    assert counters() == {"good-1": 1, "good-2": 1}
    assert runner.stats["retries"] == 2
    assert runner.stats["dead_lettered"] == 1
    [dead] = read_topic(spec.dlq, expected=1)
    headers = dict(dead.headers())
    assert dead.value() == bad.to_json()
    assert headers["rentezy.attempts"] == b"3"
    assert headers["rentezy.error.class"] == b"RuntimeError"
    assert b"cannot handle bad" in headers["rentezy.error.message"]
    assert headers["rentezy.original.topic"] == topic.encode()
    assert headers["rentezy.original.offset"] == b"1"
    assert b"Traceback" in headers["rentezy.error.traceback"]

    # Nothing of the failed attempts was written, and the ledger does not know it.
    cursor = connection.cursor()
    cursor.execute(
        "SELECT count(*) FROM rentezy_events_processedevent WHERE event_id = %s", [bad.id]
    )
    assert cursor.fetchone()[0] == 0

    # Fixed: the replay command handles it, exactly once.
    handlers.POISON_AGGREGATES.clear()
    assert replay_dead_letters(spec, timeout=10) == {
        "replayed": 1,
        "skipped_duplicates": 0,
        "failed": 0,
    }
    assert counters() == {"good-1": 1, "good-2": 1, "bad": 1}
    assert replay_dead_letters(spec, timeout=5) == {
        "replayed": 0,
        "skipped_duplicates": 0,
        "failed": 0,
    }


def test_replay_that_fails_again_leaves_the_dead_letter_in_place(kafka_topic):
    topic = kafka_topic("replay-fail", partitions=1)
    handlers.POISON_AGGREGATES.add("still-bad")
    produce(topic, [envelope("still-bad")])
    spec = spec_for(topic, max_attempts=1)
    run(spec, messages=1)
    assert replay_dead_letters(spec, timeout=10)["failed"] == 1
    handlers.POISON_AGGREGATES.clear()
    assert replay_dead_letters(spec, timeout=10)["replayed"] == 1


def test_message_that_is_not_an_envelope_is_dead_lettered_at_once(kafka_topic):
    topic = kafka_topic("garbage", partitions=1)
    produce(topic, [b"\xff not json", envelope("after")])
    spec = spec_for(topic, max_attempts=5)
    runner = run(spec, messages=2)
    assert runner.stats["retries"] == 0
    assert counters() == {"after": 1}
    [dead] = read_topic(spec.dlq, expected=1)
    assert dict(dead.headers())["rentezy.error.class"] == b"InvalidEnvelope"


def test_consumer_stops_when_everything_fails(kafka_topic):
    topic = kafka_topic("all-fail", partitions=1)
    handlers.POISON_AGGREGATES.update({"x1", "x2", "x3"})
    produce(topic, [envelope("x1"), envelope("x2"), envelope("x3")])
    spec = spec_for(topic, max_attempts=1, max_consecutive_dead_letters=2)
    with pytest.raises(DeadLetterLimitExceeded):
        run(spec, messages=3)


def test_run_consumer_command_shuts_down_cleanly_on_sigterm(kafka_topic):
    topic = kafka_topic("sigterm", partitions=1)
    produce(topic, [envelope("before-term")])
    log = run_command_until_then_sigterm(
        ["run_consumer", "counter"],
        lambda: Counter.objects.filter(name="before-term").exists(),
        what="consumer never handled the event",
        env={"TEST_CONSUMER_TOPIC": topic},
    )
    assert '"consumer stopped"' in log
    assert '"handled": 1' in log


def test_lost_database_connection_does_not_dead_letter(kafka_topic):
    from django.db import InterfaceError

    topic = kafka_topic("db-lost", partitions=1)
    failures = {"left": 6}  # more than max_attempts

    def flaky(envelope):
        if failures["left"]:
            failures["left"] -= 1
            raise InterfaceError("connection already closed")
        handlers.count(envelope)

    produce(topic, [envelope("patient")])
    spec = ConsumerSpec(
        name=f"test-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        handler=flaky,
        max_attempts=3,
        backoff_initial=0.01,
        backoff_max=0.05,
    )
    runner = run(spec, messages=1)
    assert counters() == {"patient": 1}
    assert runner.stats["dead_lettered"] == 0
    assert runner.stats["retries"] >= 5
