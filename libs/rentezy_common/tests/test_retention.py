"""rentezy_common.retention.delete_older_than, on the outbox table (real PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from rentezy_common.events.models import OutboxEvent
from rentezy_common.events.outbox import OutboxRelay
from rentezy_common.retention import delete_older_than

pytestmark = pytest.mark.django_db
TABLE = OutboxEvent._meta.db_table


def rows(sent_hours_ago: list[float | None]) -> None:
    now = timezone.now()
    OutboxEvent.objects.bulk_create(
        OutboxEvent(
            event_id=uuid.uuid4(),
            topic="t",
            event_type="x.y",
            aggregate_type="x",
            aggregate_id=str(i),
            version=1,
            occurred_at=now,
            payload={},
            sent_at=None if hours is None else now - timedelta(hours=hours),
        )
        for i, hours in enumerate(sent_hours_ago)
    )


def ages() -> list[float | None]:
    now = timezone.now()
    return sorted(
        (round((now - s).total_seconds() / 3600) if s else -1)
        for s in OutboxEvent.objects.values_list("sent_at", flat=True)
    )


def test_deletes_every_old_row_in_batches_and_keeps_recent_and_null_ones():
    rows([50, 49, 48, 47, 46, 1, 2, None])
    assert delete_older_than(TABLE, "sent_at", timedelta(hours=24), key="seq", batch=2) == 5
    assert ages() == [-1, 1, 2]


def test_a_limit_bounds_one_call():
    rows([50, 49, 48, 47, 46])
    assert delete_older_than(TABLE, "sent_at", timedelta(hours=24), key="seq", batch=2,
                             limit=3) == 3  # fmt: skip
    assert len(ages()) == 2
    assert delete_older_than(TABLE, "sent_at", timedelta(hours=24), key="seq", limit=3) == 2
    assert ages() == []


def test_the_relay_purges_sent_rows_past_its_retention():
    rows([100, 1, None])
    relay = OutboxRelay.__new__(OutboxRelay)  # purge_sent needs no broker
    relay.retention_hours = 72
    assert relay.purge_sent() == 1
    assert ages() == [-1, 1]


def test_relay_housekeeping_survives_a_failing_purge(monkeypatch):
    """One purge failing (say, a table not migrated yet) is logged; the next still runs
    and the relay goes on."""
    from rentezy_common.idempotency.models import IdempotencyKey

    IdempotencyKey.objects.create(user_id="1", key="old", method="POST", path="/x",
                                  fingerprint="f", status_code=201)  # fmt: skip
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))
    relay = OutboxRelay.__new__(OutboxRelay)

    def broken():
        raise RuntimeError("no such table")

    broken.__name__ = "purge_sent"
    monkeypatch.setattr(relay, "purge_sent", broken, raising=False)
    relay.housekeeping()
    assert not IdempotencyKey.objects.exists()
