"""The Kafka poll loop of one consumer: `ConsumerRunner(spec).run()`.

It subscribes the spec's group to its topics, hands each poll's messages to
`processing.Processor`, and stores the offsets of the messages the processor settled.
librdkafka commits *stored* offsets in the background every second (throttled), and
the runner commits them synchronously when partitions are revoked and on shutdown, so a
new owner resumes after the last settled message and never skips an unsettled one.
"""

from __future__ import annotations

import logging
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition
from django.db import close_old_connections

from ..kafka import kafka_config
from .deadletters import DeadLetters
from .processing import Processor
from .retry import Backoff, Stopped, retry
from .spec import ConsumerSpec, resolve

logger = logging.getLogger(__name__)


class ConsumerRunner:
    def __init__(
        self,
        spec: ConsumerSpec,
        *,
        stop: threading.Event | None = None,
        consumer_overrides: dict | None = None,
    ) -> None:
        self.spec = spec
        self.stop = stop or threading.Event()
        self.consumer_overrides = consumer_overrides or {}
        self.stats = {"handled": 0, "duplicates": 0, "retries": 0, "dead_lettered": 0}
        self.dead_letters = DeadLetters(spec)
        self.processor = Processor(
            spec,
            stop=self.stop,
            stats=self.stats,
            dead_letters=self.dead_letters,
            store_offsets=self._store_offsets,
        )
        self._consumer: Consumer | None = None

    def run(self, *, max_messages: int | None = None, idle_timeout: float | None = None) -> None:
        """Consume until stopped (or, for tests and benchmarks, until `max_messages`
        were taken or nothing arrived for `idle_timeout` seconds)."""
        self.dead_letters.ensure_topic()
        if not self._run_on_start():
            return
        self._consumer = consumer = self._subscribe()
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
                messages = self._poll(consumer, want)
                if not messages:
                    if idle_timeout is not None and time.monotonic() - idle_since > idle_timeout:
                        break
                    continue
                idle_since = time.monotonic()
                taken += len(messages)
                self.process(messages)
        finally:
            self._commit(consumer)
            consumer.close()
            self.dead_letters.close()
            close_old_connections()
            logger.info("consumer stopped", extra={"consumer": self.spec.group, **self.stats})

    def process(self, messages: list[Message]) -> None:
        """Settle one poll's messages (processing.Processor); a seam for benchmarks."""
        self.processor.process(messages)

    def _run_on_start(self) -> bool:
        """The spec's start hook, retried until it succeeds; False if stopped first."""
        if self.spec.on_start is None:
            return True
        hook = resolve(self.spec.on_start)

        def log(error: BaseException, spent: int, free: bool) -> None:
            logger.warning(
                "consumer start hook failed, retrying",
                extra={"consumer": self.spec.group, "error": repr(error)},
            )

        try:
            retry(
                hook,
                backoff=Backoff(self.spec.backoff_initial, self.spec.backoff_max),
                stop=self.stop,
                on_retry=log,
            )
        except Stopped:
            return False
        return True

    def _subscribe(self) -> Consumer:
        config = kafka_config(
            **{
                "group.id": self.spec.group,
                "auto.offset.reset": "earliest",
                # Commit only offsets we stored after settling a message, in the
                # background every second (throttled), plus synchronously on
                # rebalance and shutdown.
                "enable.auto.commit": True,
                "enable.auto.offset.store": False,
                "auto.commit.interval.ms": 1000,
                "enable.partition.eof": False,
                # A consumer that died without leaving its group (kill -9, OOM) holds its
                # partitions until the broker gives up on it: 10 s, not librdkafka's 45,
                # before its restarted self or another replica takes over. Heartbeats
                # come from librdkafka's own thread, so a long handler does not count.
                "session.timeout.ms": 10_000,
                "heartbeat.interval.ms": 2_000,
                **self.consumer_overrides,
            }
        )
        consumer = Consumer(config)
        consumer.subscribe(list(self.spec.topics), on_revoke=self._on_revoke)
        return consumer

    @staticmethod
    def _poll(consumer: Consumer, want: int) -> list[Message]:
        """Up to `want` messages: block for the first only, then take what is already
        fetched (batches under load, no waiting for a full batch when idle)."""
        first = consumer.poll(0.5)
        if first is None:
            return []
        messages = [first]
        if want > 1:
            messages += consumer.consume(num_messages=want - 1, timeout=0)
        usable = []
        for message in messages:
            if message.error():
                logger.warning("kafka consumer error: %s", message.error())
            else:
                usable.append(message)
        return usable

    def _store_offsets(self, messages: list[Message]) -> None:
        """Mark `messages` settled: librdkafka commits the next offset of each
        partition's latest one."""
        latest: dict[tuple[str, int], int] = {}
        for message in messages:
            latest[(message.topic(), message.partition())] = message.offset()
        self._consumer.store_offsets(
            offsets=[
                TopicPartition(topic, partition, offset + 1)
                for (topic, partition), offset in latest.items()
            ]
        )

    def _on_revoke(self, consumer: Consumer, partitions) -> None:
        self._commit(consumer)

    @staticmethod
    def _commit(consumer: Consumer) -> None:
        try:
            consumer.commit(asynchronous=False)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError._NO_OFFSET:
                logger.warning("offset commit failed: %s", exc)
