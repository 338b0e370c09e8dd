"""Transactional outbox: `publish_event` inside the caller's transaction, and the relay.

Guarantees (tested in libs/rentezy_common/tests/test_outbox.py):
- a rolled-back transaction publishes nothing: the event row rolls back with it;
- an event is never lost while Kafka is down: its row stays unsent and is retried with
  exponential backoff until the broker is back;
- events of one aggregate reach Kafka in order: the Kafka key is the aggregate id (one
  partition), the producer is idempotent (retries neither duplicate nor reorder), and
  the relay never publishes an event while an earlier event of the same aggregate is
  still unsent, even with several relays claiming rows concurrently;
- delivery is at least once: a relay that dies between producing and marking rows
  sent publishes them again, and consumers drop the duplicate by event id.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from ..logs import get_request_id
from .envelope import EventEnvelope
from .kafka import producer_config
from .models import AggregateVersion, OutboxEvent

logger = logging.getLogger(__name__)

OUTBOX_TABLE = OutboxEvent._meta.db_table
VERSION_TABLE = AggregateVersion._meta.db_table


class OutboxError(RuntimeError):
    pass


def _next_version(aggregate_type: str, aggregate_id: str) -> int:
    # The upsert takes a row lock held until commit, so concurrent publishers of one
    # aggregate queue here and get consecutive versions in commit order.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {VERSION_TABLE} (aggregate_type, aggregate_id, version)
            VALUES (%s, %s, 1)
            ON CONFLICT (aggregate_type, aggregate_id)
            DO UPDATE SET version = {VERSION_TABLE}.version + 1
            RETURNING version
            """,
            [aggregate_type, aggregate_id],
        )
        return cursor.fetchone()[0]


def publish_event(
    *,
    topic: str,
    event_type: str,
    aggregate_type: str,
    aggregate_id: Any,
    payload: Mapping[str, Any],
    version: int | None = None,
) -> EventEnvelope:
    """Record an event in the outbox, in the caller's transaction.

    Must be called inside `transaction.atomic()` together with the state change it
    announces. `version` defaults to the aggregate's next version (1, 2, ...); pass it
    only if the aggregate keeps its own version column, and then always.
    """
    if not connection.in_atomic_block:
        raise OutboxError(
            "publish_event() must be called inside transaction.atomic(), with the change "
            "it announces, so that both commit or roll back together."
        )
    aggregate_id = str(aggregate_id)
    # Serialize now so a payload that is not JSON fails in the caller's transaction.
    payload = json.loads(json.dumps(dict(payload), cls=DjangoJSONEncoder))
    if version is None:
        version = _next_version(aggregate_type, aggregate_id)
    request_id = get_request_id()
    envelope = EventEnvelope(
        id=uuid.uuid4(),
        type=event_type,
        source=settings.SERVICE_NAME,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        version=version,
        occurred_at=datetime.now(UTC),
        payload=payload,
        trace={"request_id": request_id} if request_id else {},
    )
    OutboxEvent.objects.create(
        event_id=envelope.id,
        topic=topic,
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        version=version,
        occurred_at=envelope.occurred_at,
        payload=payload,
        trace=envelope.trace,
    )
    return envelope


def outbox_lag() -> dict[str, float | int]:
    """Unsent events and the age of the oldest one, in seconds (0 when none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)
            FROM {OUTBOX_TABLE} WHERE sent_at IS NULL
            """
        )
        pending, oldest = cursor.fetchone()
    return {"pending": pending, "oldest_pending_seconds": round(float(oldest), 3)}


# Claim a batch of due rows; skip rows another relay holds; drop any row whose
# aggregate still has an earlier unsent event outside this batch (locked by another
# relay, or waiting for its retry), so per-aggregate order survives failures and
# concurrent relays. Rows dropped here stay locked only until this transaction ends.
_CLAIM_SQL = f"""
WITH claimed AS (
    SELECT seq FROM {OUTBOX_TABLE}
    WHERE sent_at IS NULL AND next_attempt_at <= now()
    ORDER BY seq
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
SELECT o.seq, o.event_id, o.topic, o.event_type, o.aggregate_type, o.aggregate_id,
       o.version, o.occurred_at, o.payload::text, o.trace::text
FROM {OUTBOX_TABLE} o JOIN claimed c ON c.seq = o.seq
WHERE NOT EXISTS (
    SELECT 1 FROM {OUTBOX_TABLE} p
    WHERE p.sent_at IS NULL
      AND p.aggregate_type = o.aggregate_type
      AND p.aggregate_id = o.aggregate_id
      AND p.seq < o.seq
      AND p.seq NOT IN (SELECT seq FROM claimed)
)
ORDER BY o.seq
"""


def _envelope_json(row, source: str) -> bytes:
    _seq, event_id, _topic, event_type, agg_type, agg_id, version, occurred_at, payload, trace = row
    head = json.dumps(
        {
            "id": str(event_id),
            "type": event_type,
            "source": source,
            "aggregate_type": agg_type,
            "aggregate_id": agg_id,
            "version": version,
            "occurred_at": occurred_at.isoformat(),
        },
        separators=(",", ":"),
    )
    # payload and trace are already JSON text from PostgreSQL: splice, don't re-encode.
    return f'{head[:-1]},"payload":{payload},"trace":{trace}}}'.encode()


class OutboxRelay:
    """Publishes outbox rows to Kafka. Run one or more per service (`outbox_relay`)."""

    def __init__(
        self,
        *,
        batch_size: int | None = None,
        poll_interval: float | None = None,
        delivery_timeout_ms: int | None = None,
        backoff_base: float | None = None,
        backoff_max: float | None = None,
        producer_overrides: Mapping[str, Any] | None = None,
    ) -> None:
        cfg = getattr(settings, "OUTBOX_RELAY", {})
        # 1000 rows is ~1 MB of messages: one produce burst and one UPDATE per batch.
        self.batch_size = batch_size or cfg.get("BATCH_SIZE", 1000)
        # Idle poll: the latency floor when the outbox is empty; 50 ms is ~20 cheap
        # index-only queries a second.
        self.poll_interval = (
            poll_interval if poll_interval is not None else cfg.get("POLL_INTERVAL", 0.05)
        )
        self.delivery_timeout_ms = delivery_timeout_ms or cfg.get("DELIVERY_TIMEOUT_MS", 30_000)
        self.backoff_base = backoff_base or cfg.get("BACKOFF_BASE", 1.0)
        self.backoff_max = backoff_max or cfg.get("BACKOFF_MAX", 60.0)
        self.retention_hours = cfg.get("RETENTION_HOURS", 72)
        self._producer_overrides = dict(producer_overrides or {})
        self._producer = None
        self._fatal = False
        self.source = settings.SERVICE_NAME

    # -- Kafka ---------------------------------------------------------------------
    def _on_error(self, error) -> None:
        if error.fatal():
            self._fatal = True
        logger.warning("kafka producer error: %s", error)

    @property
    def producer(self):
        from confluent_kafka import Producer

        if self._producer is None or self._fatal:
            self._fatal = False
            self._producer = Producer(
                producer_config(
                    **{
                        "message.timeout.ms": self.delivery_timeout_ms,
                        "error_cb": self._on_error,
                        **self._producer_overrides,
                    }
                )
            )
        return self._producer

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(5)
            self._producer = None

    # -- one batch -----------------------------------------------------------------
    def run_once(self) -> int:
        """Claim, publish and mark one batch. Returns the number of rows claimed."""
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(_CLAIM_SQL, [self.batch_size])
                rows = cursor.fetchall()
            if not rows:
                return 0
            delivered, failed = self._produce(rows)
            with connection.cursor() as cursor:
                if delivered:
                    cursor.execute(
                        f"UPDATE {OUTBOX_TABLE} SET sent_at = now(), attempts = attempts + 1 "
                        "WHERE seq = ANY(%s)",
                        [delivered],
                    )
                by_error: dict[str, list[int]] = {}
                for seq, error in failed.items():
                    by_error.setdefault(error, []).append(seq)
                for error, seqs in by_error.items():
                    cursor.execute(
                        f"""
                        UPDATE {OUTBOX_TABLE}
                        SET attempts = attempts + 1, last_error = %s,
                            next_attempt_at = now() + make_interval(
                                secs => least(%s, %s * power(2, attempts)))
                        WHERE seq = ANY(%s)
                        """,
                        [error[:2000], self.backoff_max, self.backoff_base, seqs],
                    )
        if failed:
            logger.warning(
                "outbox: %d of %d events not delivered, will retry",
                len(failed),
                len(rows),
                extra={"error": next(iter(failed.values()))},
            )
        return len(rows)

    def _produce(self, rows) -> tuple[list[int], dict[int, str]]:
        producer = self.producer
        delivered: list[int] = []
        failed: dict[int, str] = {}

        def report(seq: int):
            def on_delivery(error, _message) -> None:
                if error is None:
                    delivered.append(seq)
                else:
                    failed[seq] = str(error)

            return on_delivery

        for row in rows:
            seq, event_id, topic, event_type, _agg_type, agg_id = row[:6]
            try:
                producer.produce(
                    topic,
                    value=_envelope_json(row, self.source),
                    key=agg_id.encode(),
                    headers=[("id", str(event_id).encode()), ("type", event_type.encode())],
                    on_delivery=report(seq),
                )
            except Exception as exc:
                failed[seq] = f"{type(exc).__name__}: {exc}"
            producer.poll(0)
        # Wait for every delivery report: past message.timeout.ms librdkafka reports a
        # failure itself, so this returns with all of them unless the client is wedged.
        producer.flush(self.delivery_timeout_ms / 1000 + 5)
        for row in rows:
            seq = row[0]
            if seq not in failed and seq not in delivered:
                failed[seq] = "no delivery report before the timeout"
        # A row reported as delivered must not also be retried.
        for seq in delivered:
            failed.pop(seq, None)
        return delivered, failed

    # -- loop ----------------------------------------------------------------------
    def purge_sent(self, limit: int = 5000) -> int:
        """Delete rows sent more than RETENTION_HOURS ago (kept meanwhile for audits)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                DELETE FROM {OUTBOX_TABLE} WHERE seq IN (
                    SELECT seq FROM {OUTBOX_TABLE}
                    WHERE sent_at < now() - make_interval(hours => %s) LIMIT %s)
                """,
                [self.retention_hours, limit],
            )
            return cursor.rowcount

    def run(self, stop: threading.Event) -> None:
        from django.db import close_old_connections

        logger.info("outbox relay started", extra={"batch_size": self.batch_size})
        next_report = next_purge = time.monotonic()
        failures = 0
        while not stop.is_set():
            try:
                claimed = self.run_once()
                failures = 0
            except Exception:
                # Typically the database went away: back off, reconnect, carry on.
                failures += 1
                logger.exception("outbox relay batch failed")
                close_old_connections()
                connection.close()
                stop.wait(min(self.backoff_max, self.backoff_base * 2**failures))
                continue
            now = time.monotonic()
            if now >= next_report:
                logger.info("outbox lag", extra=outbox_lag())
                next_report = now + 30
            if now >= next_purge:
                self.purge_sent()
                next_purge = now + 600
            if claimed < self.batch_size:
                stop.wait(self.poll_interval)
        self.close()
        logger.info("outbox relay stopped")
