"""Kafka helpers for tests against the real broker: throwaway topics, reading all."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

from ..events.consumer import ConsumerRunner, ConsumerSpec
from ..events.envelope import EventEnvelope
from ..events.kafka import kafka_config, producer_config
from ..events.topics import TopicSpec, ensure_topics


class TopicFactory:
    def __init__(self) -> None:
        self.admin = AdminClient(kafka_config())
        self.created: list[str] = []

    def __call__(self, prefix: str = "test", partitions: int = 3) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        ensure_topics(self.admin, [TopicSpec(name, partitions)])
        self.created.append(name)
        return name

    def cleanup(self) -> None:
        names = [*self.created]
        existing = set(self.admin.list_topics(timeout=10).topics)
        # consumers create "<group>.dlq" topics of their own; drop those of ours too
        names += [t for t in existing if t.endswith(".dlq") and "test-" in t]
        names = [n for n in names if n in existing]
        if names:
            for future in self.admin.delete_topics(names, operation_timeout=30).values():
                with contextlib.suppress(Exception):  # best effort cleanup
                    future.result()


def read_topic(topic: str, *, expected: int, timeout: float = 30.0) -> list:
    """All messages of `topic` from the beginning, waiting until `expected` arrived (or
    the timeout passed: then return what arrived, so the test's assertion explains)."""
    consumer = Consumer(
        kafka_config(
            **{
                "group.id": f"reader-{uuid.uuid4().hex}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
    )
    consumer.subscribe([topic])
    messages = []
    deadline = time.monotonic() + timeout
    try:
        while len(messages) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                messages.append(message)
        # Catch anything extra (e.g. a message that should not have been published).
        extra_deadline = time.monotonic() + 1.0
        while time.monotonic() < extra_deadline:
            message = consumer.poll(0.2)
            if message is not None and not message.error():
                messages.append(message)
    finally:
        consumer.close()
    return messages


def produce(topic: str, items) -> None:
    """Produce envelopes (keyed by aggregate id, as the outbox relay does) or raw bytes,
    and wait for delivery."""
    producer = Producer(producer_config())
    for item in items:
        if isinstance(item, EventEnvelope):
            producer.produce(topic, value=item.to_json(), key=item.aggregate_id.encode())
        else:
            producer.produce(topic, value=item, key=b"raw")
    assert producer.flush(30) == 0


def run_consumer(spec: ConsumerSpec, *, messages: int, timeout: float = 60.0) -> ConsumerRunner:
    """Run a consumer in this thread until it has taken `messages` messages, or stop it
    after `timeout` seconds (then `runner.stop` is set: the caller decides if that fails)."""
    runner = ConsumerRunner(spec)
    timer = threading.Timer(timeout, runner.stop.set)
    timer.start()
    try:
        runner.run(max_messages=messages)
    finally:
        timer.cancel()
    return runner
