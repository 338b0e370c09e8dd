"""Fixtures of the indexer tests: throwaway alias and topics, a producer, the consumer."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from rentezy_common.events.consumer import ConsumerRunner, get_consumer
from rentezy_common.search.client import get_client
from rentezy_common.search.testing import search_alias, search_alias_name  # noqa: F401
from rentezy_common.testing import kafka
from rentezy_common.testing.kafka import produce  # noqa: F401 - the tests import it from here


def consumer_spec(topic: str, *, consumer: str = "properties", **overrides):
    """A registered consumer (default `properties`), on a throwaway topic and group."""
    spec = get_consumer(consumer)
    return dataclasses.replace(
        spec,
        name=f"test-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        backoff_initial=0.05,
        backoff_max=0.5,
        **overrides,
    )


def availability_spec(topic: str, **overrides):
    """The registered `availability` consumer, on a throwaway booking-events topic and
    group."""
    return consumer_spec(topic, consumer="availability", **overrides)


def run_consumer(spec, *, messages: int, timeout: float = 60.0) -> ConsumerRunner:
    """Run the consumer in this thread until it took `messages` messages."""
    runner = kafka.run_consumer(spec, messages=messages, timeout=timeout)
    assert not runner.stop.is_set(), f"consumer took fewer than {messages} messages"
    return runner


def searchable_ids(alias: str) -> set[str]:
    """Ids that a search can find (every search filters on `searchable`)."""
    client = get_client()
    client.indices.refresh(index=alias)
    response = client.search(
        index=alias,
        query={"term": {"searchable": True}},
        size=1000,
        source=False,
    )
    return {hit["_id"] for hit in response["hits"]["hits"]}


def stored(alias: str, property_id: str) -> dict:
    """The stored document with its `_version`."""
    response = get_client().get(index=alias, id=property_id)
    return {"_version": response["_version"], **response["_source"]}


@pytest.fixture
def topic(kafka_topic):
    return kafka_topic("property-events-test", partitions=3)


@pytest.fixture
def booking_topic(kafka_topic):
    return kafka_topic("booking-events-test", partitions=3)


def dead_letter_reasons(dlq: str, expected: int) -> list[tuple[bytes, bytes]]:
    """(error class, error message) of the dead-lettered messages, sorted."""
    return sorted(
        (dict(m.headers())["rentezy.error.class"], dict(m.headers())["rentezy.error.message"])
        for m in kafka.read_topic(dlq, expected=expected)
    )
