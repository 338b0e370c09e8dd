"""Queueing Celery tasks by name, and the platform's housekeeping tasks (registered in
every service that runs Celery).

Services queue their tasks by name (`enqueue("bookings.expire_hold", booking_id)`), never
by importing `tasks.py`: tasks call services, so services importing tasks would be an
import cycle (docs/architecture/layout.md). A broker that cannot take the task is not
the caller's failure: it is logged, and the service's sweeper finds the work later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction

from .events.models import ProcessedEvent
from .retention import delete_older_than

logger = logging.getLogger(__name__)


def celery_app():
    """The service's Celery app (`config.celery.app` by convention), imported by name:
    in a web process nothing else may have loaded it yet."""
    return import_module(getattr(settings, "CELERY_APP_MODULE", "config.celery")).app


def enqueue(name: str, *args, eta: datetime | None = None) -> bool:
    """Queue task `name` with `args` now; False (logged) if the broker refused it."""
    try:
        celery_app().send_task(name, args=list(args), eta=eta)
    except Exception:
        logger.exception("task not queued; the sweeper will find the work", extra={"task": name})
        return False
    return True


def enqueue_on_commit(name: str, *args, eta: datetime | None = None) -> None:
    """Queue task `name` once the current transaction commits (never for a rollback)."""
    transaction.on_commit(lambda: enqueue(name, *args, eta=eta))


def claim_due(
    table: str, *, where: str, params: list | tuple = (), stamp: str, requeue_seconds: int,
    limit: int, order_by: str = "updated_at",
) -> list:  # fmt: skip
    """A sweeper's claim of the rows whose work is due (`where`), not claimed within
    `requeue_seconds`: stamps `stamp` = now() on them in one UPDATE and returns their
    ids, so overlapping sweeps never queue the same row twice and a queued task gets
    time to run before its row is queued again. Rows another transaction holds are
    skipped (SKIP LOCKED)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET {stamp} = now()
            WHERE id IN (
                SELECT id FROM {table}
                WHERE ({where})
                  AND ({stamp} IS NULL OR {stamp} < now() - make_interval(secs => %s))
                ORDER BY {order_by} LIMIT %s FOR UPDATE SKIP LOCKED
            )
            RETURNING id
            """,
            [*params, requeue_seconds, limit],
        )
        return [row[0] for row in cursor.fetchall()]


@shared_task(name="rentezy_common.tasks.purge_processed_events")
def purge_processed_events(batch: int = 10_000) -> int:
    """Forget processed-event ids older than PROCESSED_EVENT_RETENTION_DAYS (default 14).

    Kafka keeps messages for 7 days by default, so an event older than the retention
    cannot be redelivered by the broker; replays of compacted topics are full rebuilds
    whose handlers are idempotent by version. Deletes in batches to keep locks short.
    """
    days = getattr(settings, "PROCESSED_EVENT_RETENTION_DAYS", 14)
    return delete_older_than(
        ProcessedEvent._meta.db_table, "processed_at", timedelta(days=days), batch=batch
    )
