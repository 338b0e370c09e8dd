"""`rent-events`: every change of a lease, its invoices, payments and deposit, keyed by
the lease (aggregate `lease`), so that one lease's events stay in order; versions are the
lease row's own counter, bumped in the transaction of the change
(docs/contracts/rent-events.md).

Why a module of its own: services publish one lease's events, the daily cycle thousands
at once; both go through `rent_events_publish`, one UPDATE for the versions and one
INSERT for the outbox rows whatever their number.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.db import connection

from rentezy_common.events import publish_events

from .models import Lease

EVENT_TYPES = (
    "lease.created",
    "lease.updated",
    "lease.activated",
    "lease.notice_given",
    "lease.renewed",
    "lease.ending",
    "lease.ended",
    "lease.terminated",
    "invoice.issued",
    "invoice.reminder_due",
    "invoice.overdue",
    "invoice.paid",
    "invoice.voided",
    "invoice.uncollectible",
    "late_fee.applied",
    "late_fee.waived",
    "payment.succeeded",
    "payment.failed",
    "autopay.exhausted",
    "refund.issued",
    "refund.failed",
    "credit.applied",
    "deposit.returned",
    "card.saved",
)

_BUMP_SQL = f"""
UPDATE {Lease._meta.db_table} l SET version = l.version + c.n
FROM unnest(%s::uuid[], %s::int[]) AS c(id, n)
WHERE l.id = c.id
RETURNING l.id, l.version
"""


def rent_events_publish(events: list[tuple[Any, str, dict]]) -> int:
    """Publish (lease_id, event_type, payload) events, in order per lease, inside the
    caller's transaction; returns how many."""
    if not events:
        return 0
    for _, event_type, _ in events:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown rent event type {event_type!r}")
    counts = Counter(str(lease_id) for lease_id, _, _ in events)
    ids = sorted(counts)
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL, [ids, [counts[i] for i in ids]])
        last = {str(lease_id): version for lease_id, version in cursor.fetchall()}
    following = {lease_id: last[lease_id] - counts[lease_id] + 1 for lease_id in counts}
    rows = []
    for lease_id, event_type, payload in events:
        key = str(lease_id)
        rows.append((event_type, key, following[key], payload))
        following[key] += 1
    return publish_events(topic=settings.RENT_EVENTS_TOPIC, aggregate_type="lease", events=rows)


def rent_event_publish(lease_id, event_type: str, payload: dict) -> None:
    rent_events_publish([(lease_id, event_type, payload)])
