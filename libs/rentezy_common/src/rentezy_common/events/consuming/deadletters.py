"""Dead letters: messages a consumer gave up on, and replaying them after a fix.

`DeadLetters.write` copies a message to the consumer's `<group>.dlq` topic with the
error class, message, traceback, attempts and original coordinates in `rentezy.*`
headers, and waits until the copy is durable: only then may the runner store the
original's offset and move past it. `replay_dead_letters` re-applies a dead-letter
topic through `applying.Applier`, the same idempotent step as live traffic.
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime

from confluent_kafka import Consumer, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from ..envelope import EventEnvelope
from ..kafka import kafka_config, producer_config
from ..topics import DEAD_LETTER_PARTITIONS, TopicSpec, ensure_topics
from .applying import Applier
from .spec import ConsumerSpec

logger = logging.getLogger(__name__)


def _header_value(value: object) -> bytes:
    return str(value).encode("utf-8", "replace")


def dead_letter_headers(
    message: Message, *, group: str, error: BaseException, attempts: int
) -> list[tuple[str, bytes]]:
    """The original message's headers plus what a reader of the dead letter needs."""
    return [
        *(message.headers() or []),
        ("rentezy.consumer", _header_value(group)),
        ("rentezy.error.class", _header_value(type(error).__name__)),
        ("rentezy.error.message", _header_value(str(error)[:1000])),
        (
            "rentezy.error.traceback",
            _header_value("".join(traceback.format_exception(error))[-4000:]),
        ),
        ("rentezy.attempts", _header_value(attempts)),
        ("rentezy.original.topic", _header_value(message.topic())),
        ("rentezy.original.partition", _header_value(message.partition())),
        ("rentezy.original.offset", _header_value(message.offset())),
        ("rentezy.failed_at", _header_value(datetime.now(UTC).isoformat())),
    ]


class DeadLetters:
    """The dead-letter topic of one consumer."""

    def __init__(self, spec: ConsumerSpec) -> None:
        self.topic = spec.dlq
        self.group = spec.group
        self._producer: Producer | None = None

    def ensure_topic(self) -> None:
        """Create the topic if missing (broker auto-creation is off)."""
        ensure_topics(AdminClient(kafka_config()), [TopicSpec(self.topic, DEAD_LETTER_PARTITIONS)])

    def write(self, message: Message, error: BaseException, *, attempts: int) -> None:
        """Copy `message` to the topic with `error` in its headers; returns once the
        copy is durable, raises RuntimeError if it could not be written."""
        if self._producer is None:
            self._producer = Producer(producer_config())
        errors = []
        self._producer.produce(
            self.topic,
            value=message.value(),
            key=message.key(),
            headers=dead_letter_headers(message, group=self.group, error=error, attempts=attempts),
            on_delivery=lambda err, _msg: err and errors.append(err),
        )
        # The dead letter must be durable before we move past the original message.
        if self._producer.flush(30) or errors:
            raise RuntimeError(f"could not write to dead-letter topic {self.topic}: {errors}")
        logger.error(
            "message dead-lettered",
            extra={
                "dead_letter_topic": self.topic,
                "topic": message.topic(),
                "partition": message.partition(),
                "offset": message.offset(),
                "attempts": attempts,
                "error": repr(error),
            },
        )

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(10)


def _replay_consumer(spec: ConsumerSpec) -> Consumer:
    """A client of the replay's own consumer group, which remembers how far replay got."""
    return Consumer(
        kafka_config(
            **{
                "group.id": f"{spec.group}.dlq-replay",
                "enable.auto.commit": False,
                "enable.partition.eof": False,
            }
        )
    )


def _unreplayed(consumer: Consumer, spec: ConsumerSpec, timeout: float) -> dict[int, range]:
    """The offsets not replayed yet, per partition of the dead-letter topic that has any:
    from where the last replay stopped (or the oldest kept) to the end as of now."""
    topics = consumer.list_topics(spec.dlq, timeout=timeout).topics
    if spec.dlq not in topics or topics[spec.dlq].error is not None:
        return {}
    partitions = [TopicPartition(spec.dlq, p) for p in topics[spec.dlq].partitions]
    waiting = {}
    for committed in consumer.committed(partitions, timeout=timeout):
        low, high = consumer.get_watermark_offsets(committed, timeout=timeout)
        first = max(committed.offset, low)  # nothing committed yet: a negative offset
        if first < high:
            waiting[committed.partition] = range(first, high)
    return waiting


def waiting_dead_letters(spec: ConsumerSpec, *, timeout: float = 5.0) -> int:
    """How many dead letters of the consumer the next replay would take. Raises
    KafkaException if Kafka cannot answer."""
    consumer = _replay_consumer(spec)
    try:
        return sum(len(offsets) for offsets in _unreplayed(consumer, spec, timeout).values())
    finally:
        consumer.close()


def replay_dead_letters(
    spec: ConsumerSpec, *, limit: int | None = None, timeout: float = 10.0
) -> dict[str, int]:
    """Re-handle the messages in a consumer's dead-letter topic, oldest first.

    Each message goes through the same idempotent path as live traffic (an event that
    was applied meanwhile is skipped). Replay resumes after the last replayed message
    (its own consumer group remembers) and ends at the topic's end as of the start. It
    stops at the first message that fails again (raises, or is rejected again), leaving
    that one and everything after it for the next replay; returns counts.
    """
    applier = Applier(spec)
    consumer = _replay_consumer(spec)
    result = {"replayed": 0, "skipped_duplicates": 0, "failed": 0}
    try:
        unreplayed = _unreplayed(consumer, spec, timeout)
        remaining = {p: offsets.stop for p, offsets in unreplayed.items()}  # ends to reach
        consumer.assign([TopicPartition(spec.dlq, p, o.start) for p, o in unreplayed.items()])
        while remaining and (limit is None or sum(result.values()) < limit):
            message = consumer.poll(timeout)
            if message is None:
                logger.warning("dead-letter replay: no message within %ss, stopping", timeout)
                break
            if message.error():
                continue
            if message.offset() + 1 >= remaining.get(message.partition(), 0):
                remaining.pop(message.partition(), None)
            where = {"partition": message.partition(), "offset": message.offset()}
            try:
                envelope = EventEnvelope.from_json(message.value())
                applied = applier.apply([envelope])
            except Exception:
                result["failed"] += 1
                logger.exception(
                    "replay failed; the message stays in the dead-letter topic", extra=where
                )
                break
            if applied.rejected:
                result["failed"] += 1
                logger.error(
                    "replay rejected again; the message stays in the dead-letter topic",
                    extra={**where, "error": repr(applied.rejected[envelope.id])},
                )
                break
            result["replayed" if applied.handled else "skipped_duplicates"] += 1
            consumer.commit(message=message, asynchronous=False)
    finally:
        consumer.close()
    return result
