"""Platform housekeeping tasks (registered in every service that runs Celery)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import connection

from .events.models import ProcessedEvent


@shared_task(name="rentezy_common.tasks.purge_processed_events")
def purge_processed_events(batch: int = 10_000) -> int:
    """Forget processed-event ids older than PROCESSED_EVENT_RETENTION_DAYS (default 14).

    Kafka keeps messages for 7 days by default, so an event older than the retention
    cannot be redelivered by the broker; replays of compacted topics are full rebuilds
    whose handlers are idempotent by version. Deletes in batches to keep locks short.
    """
    days = getattr(settings, "PROCESSED_EVENT_RETENTION_DAYS", 14)
    table = ProcessedEvent._meta.db_table
    total = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "
                "WHERE processed_at < now() - make_interval(days => %s) LIMIT %s)",
                [days, batch],
            )
            total += cursor.rowcount
            if cursor.rowcount < batch:
                return total
