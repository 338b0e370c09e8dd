"""Consumer runner: a registry of consumers, idempotent handling, retries, dead letters.

A service lists its consumers in `config/consumers.py` (settings.RENTEZY_CONSUMERS):

    CONSUMERS = [
        ConsumerSpec(name="inventory", topics=["property-events"],
                     handler="inventory.handlers.on_property_event"),
    ]

and runs each with `manage.py run_consumer inventory`. A handler is a plain function
taking an `EventEnvelope`; it runs inside a transaction that also records the event id
in the processed-event ledger, so a redelivered event changes state once.

Batches: the messages fetched together are applied in one transaction (one ledger
INSERT for all their ids, then each handler); if a handler fails, that transaction is
rolled back, the messages before the failing one are committed on their own, and the
failing one is retried alone.
Offsets: committed only for messages whose transaction committed (or that went to the
dead-letter topic); commits are throttled by librdkafka's auto-commit of *stored*
offsets, and flushed synchronously on rebalance and shutdown.
Failures: a handler error is retried with exponential backoff up to `max_attempts`
(a lost database connection is waited out without spending attempts);
then the message goes to `<group>.dlq` with the error in its headers and the consumer
moves on. A message that is not an envelope goes there at once. If
`max_consecutive_dead_letters` messages in a row fail, the consumer stops instead:
that is a bad deploy or a dead dependency, not bad messages.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils.module_loading import import_string

from .envelope import EventEnvelope, InvalidEnvelope
from .kafka import kafka_config, producer_config
from .models import ProcessedEvent

logger = logging.getLogger(__name__)

PROCESSED_TABLE = ProcessedEvent._meta.db_table

Handler = Callable[[EventEnvelope], None]


class DeadLetterLimitExceeded(RuntimeError):
    pass


class _RollBack(Exception):
    """Raised inside a batch transaction to undo it after a handler failed."""


@dataclass(frozen=True)
class ConsumerSpec:
    name: str
    topics: Sequence[str]
    handler: Handler | str  # a function, or its dotted path
    group_id: str | None = None  # default "<service>.<name>"
    dead_letter_topic: str | None = None  # default "<group_id>.dlq"
    max_attempts: int = 5
    backoff_initial: float = 0.5  # seconds; doubles per attempt
    backoff_max: float = 30.0
    max_consecutive_dead_letters: int = 20
    batch_size: int = 200  # messages handled per database transaction

    @property
    def group(self) -> str:
        return self.group_id or f"{settings.SERVICE_NAME}.{self.name}"

    @property
    def dlq(self) -> str:
        return self.dead_letter_topic or f"{self.group}.dlq"

    def resolve_handler(self) -> Handler:
        return import_string(self.handler) if isinstance(self.handler, str) else self.handler


def registered_consumers() -> dict[str, ConsumerSpec]:
    """The service's consumers by name (empty if it has no `config/consumers.py`)."""
    try:
        specs: Iterable[ConsumerSpec] = import_string(settings.RENTEZY_CONSUMERS)
    except ImportError:
        return {}
    return {spec.name: spec for spec in specs}


def get_consumer(name: str) -> ConsumerSpec:
    consumers = registered_consumers()
    if name not in consumers:
        known = ", ".join(sorted(consumers)) or "none"
        raise KeyError(f"no consumer named {name!r} in this service (registered: {known})")
    return consumers[name]


def _header_value(value: object) -> bytes:
    return str(value).encode("utf-8", "replace")


class ConsumerRunner:
    def __init__(
        self,
        spec: ConsumerSpec,
        *,
        stop: threading.Event | None = None,
        consumer_overrides: dict | None = None,
    ) -> None:
        self.spec = spec
        self.handler = spec.resolve_handler()
        self.stop = stop or threading.Event()
        self.consumer_overrides = consumer_overrides or {}
        self.consecutive_dead_letters = 0
        self.stats = {"handled": 0, "duplicates": 0, "retries": 0, "dead_lettered": 0}
        self._consumer = None
        self._producer = None

    # -- idempotent application ------------------------------------------------------
    def apply(self, envelope: EventEnvelope) -> bool:
        """Run the handler unless this consumer already processed the event. Must be
        called inside a transaction. Returns False for a duplicate."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PROCESSED_TABLE} (consumer, event_id, processed_at) "
                "VALUES (%s, %s, now()) ON CONFLICT (consumer, event_id) DO NOTHING",
                [self.spec.group, envelope.id],
            )
            if cursor.rowcount == 0:
                self.stats["duplicates"] += 1
                return False
        self.handler(envelope)
        self.stats["handled"] += 1
        return True

    # -- Kafka plumbing ----------------------------------------------------------------
    def _make_consumer(self):
        from confluent_kafka import Consumer

        config = kafka_config(
            **{
                "group.id": self.spec.group,
                "auto.offset.reset": "earliest",
                # Commit only offsets we stored after finishing a message, in the
                # background every second (throttled), plus synchronously on
                # rebalance and shutdown.
                "enable.auto.commit": True,
                "enable.auto.offset.store": False,
                "auto.commit.interval.ms": 1000,
                "enable.partition.eof": False,
                **self.consumer_overrides,
            }
        )
        consumer = Consumer(config)
        consumer.subscribe(list(self.spec.topics), on_revoke=self._on_revoke)
        return consumer

    def _on_revoke(self, consumer, partitions) -> None:
        self._commit(consumer)

    @staticmethod
    def _commit(consumer) -> None:
        from confluent_kafka import KafkaError, KafkaException

        try:
            consumer.commit(asynchronous=False)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError._NO_OFFSET:
                logger.warning("offset commit failed: %s", exc)

    @property
    def producer(self):
        from confluent_kafka import Producer

        if self._producer is None:
            self._producer = Producer(producer_config())
        return self._producer

    def ensure_dead_letter_topic(self) -> None:
        from confluent_kafka.admin import AdminClient

        from .topics import DEAD_LETTER_PARTITIONS, TopicSpec, ensure_topics

        ensure_topics(
            AdminClient(kafka_config()), [TopicSpec(self.spec.dlq, DEAD_LETTER_PARTITIONS)]
        )

    # -- the loop ------------------------------------------------------------------------
    def run(self, *, max_messages: int | None = None, idle_timeout: float | None = None) -> None:
        """Consume until stopped (or, for tests and benchmarks, until `max_messages`
        were taken or nothing arrived for `idle_timeout` seconds)."""
        self.ensure_dead_letter_topic()
        self._consumer = consumer = self._make_consumer()
        taken = 0
        idle_since = time.monotonic()
        logger.info("consumer started", extra={"consumer": self.spec.group})
        try:
            while not self.stop.is_set():
                want = self.spec.batch_size
                if max_messages is not None:
                    want = min(want, max_messages - taken)
                    if want <= 0:
                        break
                # Block for the first message only, then take what is already
                # fetched: batches under load, no waiting for a full batch when idle.
                first = consumer.poll(0.5)
                messages = [first] if first is not None else []
                if first is not None and want > 1:
                    messages += consumer.consume(num_messages=want - 1, timeout=0)
                usable = []
                for message in messages:
                    if message.error():
                        logger.warning("kafka consumer error: %s", message.error())
                    else:
                        usable.append(message)
                if not usable:
                    if idle_timeout is not None and time.monotonic() - idle_since > idle_timeout:
                        break
                    continue
                idle_since = time.monotonic()
                taken += len(usable)
                self.process(usable)
        finally:
            self._commit(consumer)
            consumer.close()
            if self._producer is not None:
                self._producer.flush(10)
            close_old_connections()
            logger.info("consumer stopped", extra={"consumer": self.spec.group, **self.stats})

    def process(self, messages: list) -> None:
        """Handle messages in order: as many as possible per transaction, then the one
        that failed on its own with retries, then the rest."""
        index = 0
        while index < len(messages) and not self.stop.is_set():
            index += self._apply_run(messages[index:])
            if index < len(messages):
                if not self._apply_with_retries(messages[index]):
                    return  # stopping mid-retry: leave the offset for the next owner
                index += 1

    def _apply_run(self, messages: list) -> int:
        """Apply the longest run of messages that succeeds, in one transaction. Returns
        how many were applied (their offsets are stored)."""
        envelopes = []
        for message in messages:
            try:
                envelopes.append(EventEnvelope.from_json(message.value()))
            except InvalidEnvelope:
                break  # dead-lettered by the one-at-a-time path
        if not envelopes:
            return 0
        applied = self._apply_together(envelopes)
        # If message `applied` failed, it rolled the transaction back: commit the run
        # before it on its own (it succeeded a moment ago).
        if 0 < applied < len(envelopes) and self._apply_together(envelopes[:applied]) != applied:
            return 0
        if applied:
            self._store_offsets(messages[:applied])
            self.consecutive_dead_letters = 0
        return applied

    def _apply_together(self, envelopes: list[EventEnvelope]) -> int:
        """All-or-nothing: returns len(envelopes) if the transaction committed, else
        the index of the message whose handler failed (0 if the commit failed)."""
        stats = {"handled": 0, "duplicates": 0}
        failed_at = None
        try:
            with transaction.atomic():
                fresh = self._record(envelopes)
                for index, envelope in enumerate(envelopes):
                    if envelope.id not in fresh:
                        stats["duplicates"] += 1
                        continue
                    fresh.discard(envelope.id)  # the same event twice in one batch
                    try:
                        self.handler(envelope)
                    except Exception:  # retried alone, with backoff
                        failed_at = index
                        raise _RollBack from None
                    stats["handled"] += 1
        except _RollBack:
            self._reset_connection()
            return failed_at
        except Exception:  # e.g. the commit failed: retry one by one
            logger.warning("batch transaction failed; retrying one message at a time")
            self._reset_connection()
            return 0
        for key, value in stats.items():
            self.stats[key] += value
        return len(envelopes)

    def _record(self, envelopes: list[EventEnvelope]) -> set:
        """Insert the batch's event ids in the ledger; return those that were new."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PROCESSED_TABLE} (consumer, event_id, processed_at) "
                "SELECT %s, id, now() FROM unnest(%s::uuid[]) AS id "
                "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id",
                [self.spec.group, [envelope.id for envelope in envelopes]],
            )
            return {row[0] for row in cursor.fetchall()}

    def _store_offsets(self, messages: list) -> None:
        from confluent_kafka import TopicPartition

        latest: dict[tuple[str, int], int] = {}
        for message in messages:
            latest[(message.topic(), message.partition())] = message.offset()
        self._consumer.store_offsets(
            offsets=[
                TopicPartition(topic, partition, offset + 1)
                for (topic, partition), offset in latest.items()
            ]
        )

    def _apply_with_retries(self, message) -> bool:
        """Handle one message with retries; dead-letter it when they run out. Returns
        False only when stopping before it was settled.

        Losing the database is not the message's fault: while the connection is gone
        the consumer waits and retries without spending attempts (it stalls, visibly in
        its logs and lag, instead of emptying the topic into the dead-letter topic)."""
        try:
            envelope = EventEnvelope.from_json(message.value())
        except InvalidEnvelope as exc:
            self._dead_letter(message, exc, attempts=1)
            return True
        delay = self.spec.backoff_initial
        attempt = 0
        while True:
            try:
                with transaction.atomic():
                    self.apply(envelope)
            except Exception as exc:
                database_lost = self._database_lost(exc)
                self._reset_connection()
                if not database_lost:
                    attempt += 1
                    if attempt >= self.spec.max_attempts:
                        self._dead_letter(message, exc, attempts=attempt)
                        return True
                self.stats["retries"] += 1
                reason = "database unreachable, waiting" if database_lost else "handler failed"
                logger.warning(
                    reason,
                    extra={"event_id": str(envelope.id), "attempt": attempt, "error": repr(exc)},
                )
                if self.stop.wait(delay):
                    return False
                delay = min(delay * 2, self.spec.backoff_max)
            else:
                self._consumer.store_offsets(message=message)
                self.consecutive_dead_letters = 0
                return True

    @staticmethod
    def _database_lost(exc: BaseException) -> bool:
        if isinstance(exc, InterfaceError):
            return True
        if isinstance(exc, OperationalError):
            # A deadlock or a statement timeout leaves the connection usable: those
            # count as attempts. A dropped or refused connection does not.
            return connection.connection is None or not connection.is_usable()
        return False

    def _dead_letter(self, message, exc: BaseException, *, attempts: int) -> None:
        headers = list(message.headers() or [])
        headers += [
            ("rentezy.consumer", _header_value(self.spec.group)),
            ("rentezy.error.class", _header_value(type(exc).__name__)),
            ("rentezy.error.message", _header_value(str(exc)[:1000])),
            (
                "rentezy.error.traceback",
                _header_value("".join(traceback.format_exception(exc))[-4000:]),
            ),
            ("rentezy.attempts", _header_value(attempts)),
            ("rentezy.original.topic", _header_value(message.topic())),
            ("rentezy.original.partition", _header_value(message.partition())),
            ("rentezy.original.offset", _header_value(message.offset())),
            ("rentezy.failed_at", _header_value(datetime.now(UTC).isoformat())),
        ]
        errors = []
        self.producer.produce(
            self.spec.dlq,
            value=message.value(),
            key=message.key(),
            headers=headers,
            on_delivery=lambda err, _msg: err and errors.append(err),
        )
        # The dead letter must be durable before we move past the original message.
        if self.producer.flush(30) or errors:
            raise RuntimeError(f"could not write to dead-letter topic {self.spec.dlq}: {errors}")
        self._consumer.store_offsets(message=message)
        self.stats["dead_lettered"] += 1
        self.consecutive_dead_letters += 1
        logger.error(
            "message dead-lettered",
            extra={
                "dead_letter_topic": self.spec.dlq,
                "topic": message.topic(),
                "partition": message.partition(),
                "offset": message.offset(),
                "attempts": attempts,
                "error": repr(exc),
            },
        )
        if self.consecutive_dead_letters >= self.spec.max_consecutive_dead_letters:
            raise DeadLetterLimitExceeded(
                f"{self.consecutive_dead_letters} messages in a row dead-lettered; stopping "
                "(a broken deploy or dependency, not bad messages)"
            )

    @staticmethod
    def _reset_connection() -> None:
        # After a database error the connection may be unusable; Django reconnects on
        # the next query once it is closed.
        if connection.connection is not None and not connection.is_usable():
            connection.close()


def replay_dead_letters(
    spec: ConsumerSpec, *, limit: int | None = None, timeout: float = 10.0
) -> dict[str, int]:
    """Re-handle the messages in a consumer's dead-letter topic, oldest first.

    Each message goes through the same idempotent path as live traffic (an event that
    was applied meanwhile is skipped). Replay resumes after the last replayed message
    (its own consumer group remembers) and ends at the topic's end as of the start. It
    stops at the first message that fails again, leaving that one and everything after
    it for the next replay; returns counts.
    """
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    runner = ConsumerRunner(spec)
    consumer = Consumer(
        kafka_config(
            **{
                "group.id": f"{spec.group}.dlq-replay",
                "enable.auto.commit": False,
                "enable.partition.eof": False,
            }
        )
    )
    result = {"replayed": 0, "skipped_duplicates": 0, "failed": 0}
    try:
        topics = consumer.list_topics(spec.dlq, timeout=timeout).topics
        if spec.dlq not in topics or topics[spec.dlq].error is not None:
            return result
        partitions = [TopicPartition(spec.dlq, p) for p in topics[spec.dlq].partitions]
        remaining: dict[int, int] = {}  # partition -> end offset still to reach
        start = []
        for committed in consumer.committed(partitions, timeout=timeout):
            low, high = consumer.get_watermark_offsets(committed, timeout=timeout)
            offset = committed.offset if committed.offset >= 0 else OFFSET_BEGINNING
            if max(committed.offset, low) < high:
                remaining[committed.partition] = high
                start.append(TopicPartition(spec.dlq, committed.partition, offset))
        consumer.assign(start)
        while remaining and (limit is None or sum(result.values()) < limit):
            message = consumer.poll(timeout)
            if message is None:
                logger.warning("dead-letter replay: no message within %ss, stopping", timeout)
                break
            if message.error():
                continue
            if message.offset() + 1 >= remaining.get(message.partition(), 0):
                remaining.pop(message.partition(), None)
            try:
                envelope = EventEnvelope.from_json(message.value())
                with transaction.atomic():
                    applied = runner.apply(envelope)
            except Exception:
                result["failed"] += 1
                logger.exception(
                    "replay failed; the message stays in the dead-letter topic",
                    extra={"partition": message.partition(), "offset": message.offset()},
                )
                break
            result["replayed" if applied else "skipped_duplicates"] += 1
            consumer.commit(message=message, asynchronous=False)
    finally:
        consumer.close()
    return result
