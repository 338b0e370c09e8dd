"""The platform's topics, and `ensure_topics()` to create them (idempotent).

Partition counts bound consumer parallelism per group; keys are aggregate ids, so more
partitions spread aggregates without breaking per-aggregate order. `property-events` is
compacted: the latest event per property survives, so replaying the topic rebuilds the
search index (property events therefore carry the property's full state).
Dead-letter topics (`<group>.dlq`) are created by their consumers on start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)


TOPICS: dict[str, TopicSpec] = {
    spec.name: spec
    for spec in (
        TopicSpec("user-events", 3),
        TopicSpec(
            "property-events",
            6,
            {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"},
        ),
        TopicSpec("booking-events", 6),
        TopicSpec("rent-events", 6),
        TopicSpec("visit-events", 3),
        TopicSpec("chat-events", 6),
    )
}

DEAD_LETTER_PARTITIONS = 1  # dead letters are rare and replayed by hand; order them all


def ensure_topics(admin, specs, *, replication_factor: int = 1, timeout: float = 30) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    from confluent_kafka import KafkaError
    from confluent_kafka.admin import NewTopic

    existing = set(admin.list_topics(timeout=timeout).topics)
    wanted = [spec for spec in specs if spec.name not in existing]
    if not wanted:
        return []
    futures = admin.create_topics(
        [
            NewTopic(
                spec.name,
                num_partitions=spec.partitions,
                replication_factor=replication_factor,
                config=spec.config,
            )
            for spec in wanted
        ],
        operation_timeout=timeout,
        request_timeout=timeout,
    )
    created = []
    for name, future in futures.items():
        try:
            future.result()
            created.append(name)
        except Exception as exc:
            error = exc.args[0] if exc.args else None
            if getattr(error, "code", lambda: None)() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue  # another process created it meanwhile
            raise
    return created


def main(argv: list[str] | None = None) -> int:
    """`python -m rentezy_common.events.topics [bootstrap]` creates the platform topics
    without needing Django settings (used by scripts/infra.sh)."""
    import os
    import sys

    from confluent_kafka.admin import AdminClient

    argv = sys.argv[1:] if argv is None else argv
    bootstrap = (
        argv[0]
        if argv
        else os.environ.get(
            "KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"
        )
    )
    created = ensure_topics(AdminClient({"bootstrap.servers": bootstrap}), TOPICS.values())
    print(
        f"kafka topics: created {', '.join(created) if created else 'none'} ({len(TOPICS)} defined)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
