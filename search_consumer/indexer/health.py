"""Readiness of the indexer: `/readyz` check `search_index`.

Reports which index the alias points at, the cluster's status, and the lag of the
`properties` and `availability` consumer groups on their topics (high watermark minus
committed offset, per partition). Lag is reported, not judged: a backlog after a burst
is normal and pulling this health endpoint out of rotation would not help it drain. The
check fails only when Elasticsearch cannot answer.
"""

from __future__ import annotations

import threading
from typing import Any

from rentezy_common.events.consumer import get_consumer
from rentezy_common.events.kafka import kafka_config
from rentezy_common.health import CHECK_TIMEOUT_SECONDS
from rentezy_common.search import alias_name
from rentezy_common.search.client import get_client
from rentezy_common.search.indices import alias_targets

CONSUMER_NAME = "properties"
AVAILABILITY_CONSUMER_NAME = "availability"

_lag_consumers: dict[str, Any] = {}  # by group id: committed() answers for its own group
_lag_lock = threading.Lock()


def check_search_index() -> dict[str, Any]:
    client = get_client().options(request_timeout=CHECK_TIMEOUT_SECONDS)
    alias = alias_name()
    targets = alias_targets(alias, client=client)
    result: dict[str, Any] = {
        "ok": True,
        "alias": alias,
        "index": targets[0] if targets else None,
        "cluster_status": client.cluster.health().body["status"],
    }
    if not targets:
        result["note"] = "alias missing: the consumer creates it when it starts"
    for key, name in (
        ("consumer_lag", CONSUMER_NAME),
        ("availability_lag", AVAILABILITY_CONSUMER_NAME),
    ):
        try:
            result[key] = consumer_lag(name)
        except Exception as exc:  # Kafka has its own readiness check; report, don't fail
            result[key] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return result


def consumer_lag(name: str = CONSUMER_NAME) -> dict[str, Any]:
    """Messages not yet processed by the consumer group, per partition and in total."""
    from confluent_kafka import Consumer, TopicPartition

    spec = get_consumer(name)
    with _lag_lock:  # one client per group and process; it never joins the group
        consumer = _lag_consumers.get(spec.group)
        if consumer is None:
            consumer = _lag_consumers[spec.group] = Consumer(
                kafka_config(**{"group.id": spec.group, "enable.auto.commit": False})
            )
        partitions = []
        for topic in spec.topics:
            metadata = consumer.list_topics(topic, timeout=CHECK_TIMEOUT_SECONDS).topics[topic]
            if metadata.error is not None:
                raise RuntimeError(f"topic {topic}: {metadata.error}")
            partitions += [TopicPartition(topic, p) for p in sorted(metadata.partitions)]
        # committed() asks for the group's offsets; they are per group.id, so this
        # client must use the consumer's group (it never subscribes, so it never joins).
        committed = consumer.committed(partitions, timeout=CHECK_TIMEOUT_SECONDS)
        lag: dict[str, int] = {}
        for tp in committed:
            low, high = consumer.get_watermark_offsets(
                TopicPartition(tp.topic, tp.partition), timeout=CHECK_TIMEOUT_SECONDS
            )
            position = tp.offset if tp.offset >= 0 else low  # nothing committed yet
            lag[f"{tp.topic}/{tp.partition}"] = max(high - max(position, low), 0)
    return {"group": spec.group, "total": sum(lag.values()), "partitions": lag}
