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
moves on. A message that is not an envelope goes there at once, and so does an event
whose handler raises `RejectedEvent` (it can never be handled: retrying cannot help). A
handler that raises `DependencyUnavailable` (its search index, a remote API is down)
is waited out like a lost database: retried with backoff without spending attempts. If
`max_consecutive_dead_letters` messages in a row fail, the consumer stops instead:
that is a bad deploy or a dead dependency, not bad messages.

Batch handlers: a consumer whose work is cheaper in bulk (one Elasticsearch `_bulk`
request per batch) gives `batch_handler` instead of `handler`. It receives the
envelopes of a batch in offset order (duplicates already filtered when the ledger is
on) and returns None, or a mapping `{event id: exception}` of the events it rejects as
malformed: those go to the dead-letter topic at once, the rest count as handled. If it
raises `DependencyUnavailable` (or the database is lost) the whole batch is retried
with backoff; any other exception makes the runner handle the batch again one event at
a time (the batch handler called with one envelope), with the usual retries and dead
letters, so one bad event cannot block the others.
`ledger=False` is for handlers that are idempotent by themselves (e.g. Elasticsearch
external versions): the processed-event ledger is neither written nor consulted, and
the runner opens no database transaction around the handler. Replaying a topic into a
rebuilt store then re-applies everything, which is what such a consumer wants.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
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
# Returns the events it rejects as malformed ({event id: reason}), or None.
BatchHandler = Callable[[list[EventEnvelope]], "Mapping[uuid.UUID, BaseException] | None"]


class DeadLetterLimitExceeded(RuntimeError):
    pass


class RejectedEvent(Exception):
    """Raised by a handler for an event it can never handle (e.g. a payload missing
    required fields): the event goes to the dead-letter topic at once, without retries."""


class DependencyUnavailable(Exception):
    """Raised by a handler when something it writes to (a search index, a remote API)
    cannot be reached: not the message's fault. The runner retries with backoff without
    spending the message's attempts, as it does for a lost database connection, so an
    outage stalls the consumer (visible as lag) instead of dead-lettering traffic."""


class _RollBack(Exception):
    """Raised inside a batch transaction to undo it after a handler failed."""


@dataclass(frozen=True)
class ConsumerSpec:
    name: str
    topics: Sequence[str]
    handler: Handler | str | None = None  # a function, or its dotted path
    group_id: str | None = None  # default "<service>.<name>"
    dead_letter_topic: str | None = None  # default "<group_id>.dlq"
    max_attempts: int = 5
    backoff_initial: float = 0.5  # seconds; doubles per attempt
    backoff_max: float = 30.0
    max_consecutive_dead_letters: int = 20
    batch_size: int = 200  # messages handled per database transaction
    # Instead of `handler`: called once per batch with its envelopes (module docstring).
    batch_handler: BatchHandler | str | None = None
    # Record handled event ids in the processed-event ledger (skip redeliveries). Off
    # only for handlers that are idempotent by themselves.
    ledger: bool = True
    # Called once before consuming (e.g. create the index the handler writes to); if
    # it raises, it is retried with backoff until it succeeds or the consumer stops.
    on_start: Callable[[], None] | str | None = None

    def __post_init__(self) -> None:
        if (self.handler is None) == (self.batch_handler is None):
            raise ValueError(
                f"consumer {self.name!r}: give exactly one of handler or batch_handler"
            )

    @property
    def group(self) -> str:
        return self.group_id or f"{settings.SERVICE_NAME}.{self.name}"

    @property
    def dlq(self) -> str:
        return self.dead_letter_topic or f"{self.group}.dlq"

    def resolve_handler(self) -> Handler:
        """The per-event handler; for a batch consumer, its batch handler called with
        one envelope (used to retry events one at a time and to replay dead letters)."""
        if self.handler is not None:
            return _resolve(self.handler)
        batch_handler = self.resolve_batch_handler()

        def handle_one(envelope: EventEnvelope) -> None:
            rejected = batch_handler([envelope]) or {}
            if envelope.id in rejected:
                reason = rejected[envelope.id]
                raise RejectedEvent(str(reason)) from reason

        return handle_one

    def resolve_batch_handler(self) -> BatchHandler | None:
        return None if self.batch_handler is None else _resolve(self.batch_handler)


def _resolve(target):
    return import_string(target) if isinstance(target, str) else target


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
        self.batch_handler = spec.resolve_batch_handler()
        self.stop = stop or threading.Event()
        self.consumer_overrides = consumer_overrides or {}
        self.consecutive_dead_letters = 0
        self.stats = {"handled": 0, "duplicates": 0, "retries": 0, "dead_lettered": 0}
        self._consumer = None
        self._producer = None

    # -- idempotent application ------------------------------------------------------
    def apply(self, envelope: EventEnvelope) -> bool:
        """Run the handler unless this consumer already processed the event. Must be
        called inside a transaction (when the ledger is on). Returns False for a
        duplicate."""
        if not self.spec.ledger:
            self.handler(envelope)
            self.stats["handled"] += 1
            return True
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
        if not self._run_on_start():
            return
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

    def _transaction(self):
        """The transaction the handler runs in: none when the ledger is off (the handler
        needs no database, and must not stall when the database is away)."""
        return transaction.atomic() if self.spec.ledger else contextlib.nullcontext()

    def _run_on_start(self) -> bool:
        """The spec's start hook, retried until it succeeds; False if stopped first."""
        if self.spec.on_start is None:
            return True
        hook = _resolve(self.spec.on_start)
        delay = self.spec.backoff_initial
        while True:
            try:
                hook()
                return True
            except Exception as exc:
                logger.warning(
                    "consumer start hook failed, retrying",
                    extra={"consumer": self.spec.group, "error": repr(exc)},
                )
                if self.stop.wait(delay):
                    return False
                delay = min(delay * 2, self.spec.backoff_max)

    def process(self, messages: list) -> None:
        """Handle messages in order: as many as possible per transaction, then the one
        that failed on its own with retries, then the rest."""
        if self.batch_handler is not None:
            self._process_batch(messages)
            return
        index = 0
        while index < len(messages) and not self.stop.is_set():
            index += self._apply_run(messages[index:])
            if index < len(messages):
                if not self._apply_with_retries(messages[index]):
                    return  # stopping mid-retry: leave the offset for the next owner
                index += 1

    # -- batch handlers --------------------------------------------------------------
    def _process_batch(self, messages: list) -> None:
        """One batch handler call for the whole batch; see the module docstring."""
        decoded = []
        for message in messages:
            try:
                decoded.append((message, EventEnvelope.from_json(message.value())))
            except InvalidEnvelope as exc:
                # Durable in the dead-letter topic now; its offset is stored below with
                # the rest of the batch, once everything before it is settled too.
                self._dead_letter(message, exc, attempts=1, store_offset=False)
        if decoded:
            rejected = self._run_batch([envelope for _, envelope in decoded])
            if rejected is None:
                return  # stopping while waiting for a dependency: nothing stored
            if rejected is _ONE_AT_A_TIME:
                for message, _ in decoded:
                    if not self._apply_with_retries(message):
                        return
            else:
                handled = False
                for message, envelope in decoded:
                    if envelope.id in rejected:
                        self._dead_letter(
                            message, rejected[envelope.id], attempts=1, store_offset=False
                        )
                    else:
                        handled = True
                if handled:
                    self.consecutive_dead_letters = 0
        self._store_offsets(messages)

    def _run_batch(self, envelopes: list[EventEnvelope]):
        """Call the batch handler, retrying while a dependency is unavailable. Returns
        the rejected events, None when stopping, or _ONE_AT_A_TIME if it failed."""
        delay = self.spec.backoff_initial
        while True:
            try:
                stats = {"handled": 0, "duplicates": 0}
                with self._transaction():
                    todo = envelopes
                    if self.spec.ledger:
                        fresh = self._record(envelopes)
                        todo = []
                        for envelope in envelopes:
                            if envelope.id in fresh:
                                fresh.discard(envelope.id)  # the same event twice
                                todo.append(envelope)
                        stats["duplicates"] = len(envelopes) - len(todo)
                    answer = dict(self.batch_handler(todo) or {}) if todo else {}
                    ids = {envelope.id for envelope in todo}
                    rejected = {key: value for key, value in answer.items() if key in ids}
                    if rejected and self.spec.ledger:
                        self._forget(rejected)
                    stats["handled"] = len(todo) - len(rejected)
            except Exception as exc:
                self._reset_connection()
                if not self._not_the_messages_fault(exc):
                    logger.warning(
                        "batch handler failed; handling the batch one event at a time",
                        extra={"consumer": self.spec.group, "error": repr(exc)},
                    )
                    return _ONE_AT_A_TIME
                self.stats["retries"] += 1
                logger.warning(
                    "dependency unavailable, waiting",
                    extra={"consumer": self.spec.group, "error": repr(exc)},
                )
                if self.stop.wait(delay):
                    return None
                delay = min(delay * 2, self.spec.backoff_max)
            else:
                for key, value in stats.items():
                    self.stats[key] += value
                return rejected

    def _forget(self, event_ids) -> None:
        """Take rejected events out of the ledger, so replaying their dead letters
        after a fix is not mistaken for a duplicate."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {PROCESSED_TABLE} WHERE consumer = %s AND event_id = ANY(%s)",
                [self.spec.group, list(event_ids)],
            )

    # -- one transaction per run of messages ---------------------------------------------
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
            with self._transaction():
                fresh = (
                    self._record(envelopes)
                    if self.spec.ledger
                    else {envelope.id for envelope in envelopes}
                )
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
                with self._transaction():
                    self.apply(envelope)
            except Exception as exc:
                unavailable = self._not_the_messages_fault(exc)
                self._reset_connection()
                if isinstance(exc, RejectedEvent):
                    # The reason (e.g. the payload's validation error) names the fault.
                    self._dead_letter(message, exc.__cause__ or exc, attempts=attempt + 1)
                    return True
                if not unavailable:
                    attempt += 1
                    if attempt >= self.spec.max_attempts:
                        self._dead_letter(message, exc, attempts=attempt)
                        return True
                self.stats["retries"] += 1
                reason = "dependency unreachable, waiting" if unavailable else "handler failed"
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

    @classmethod
    def _not_the_messages_fault(cls, exc: BaseException) -> bool:
        return isinstance(exc, DependencyUnavailable) or cls._database_lost(exc)

    @staticmethod
    def _database_lost(exc: BaseException) -> bool:
        if isinstance(exc, InterfaceError):
            return True
        if isinstance(exc, OperationalError):
            # A deadlock or a statement timeout leaves the connection usable: those
            # count as attempts. A dropped or refused connection does not.
            return connection.connection is None or not connection.is_usable()
        return False

    def _dead_letter(
        self, message, exc: BaseException, *, attempts: int, store_offset: bool = True
    ) -> None:
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
        if store_offset:
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


_ONE_AT_A_TIME = object()  # _run_batch's answer when the batch handler failed


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
                with runner._transaction():
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
