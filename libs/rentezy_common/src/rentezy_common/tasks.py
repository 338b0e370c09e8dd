"""Platform housekeeping tasks (registered in every service that runs Celery)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from .events.models import ProcessedEvent
from .retention import delete_older_than


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
