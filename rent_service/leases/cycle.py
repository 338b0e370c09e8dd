"""The daily rent cycle: `run_rent_cycle(date)`, from Celery beat (every hour, for the
dates that have begun in some lease's zone), `manage.py run_rent_cycle --date` and the
backfill of a range.

Why a module of its own (docs/architecture/layout.md): it is the one writer that works on
every lease at once, so it is set-based SQL, never a Python loop over leases. For the
date it, in order, each step in one transaction:

1. activates upcoming leases whose start date has come;
2. issues the invoices of periods starting within RENT_INVOICE_LEAD_DAYS (leases.ledger);
3. moves credit onto unpaid invoices;
4. records a reminder RENT reminder_days before each unpaid invoice's due date, once;
5. records an overdue notice the day after the due date, once;
6. adds the late fee once the grace days have passed, once per invoice;
7. schedules the first autopay attempt on the due date and queues the attempts due;
8. marks fixed-term leases ending (within their notice period) and ended (past it).

Idempotent and safe concurrently: every row it adds is guarded by a unique constraint
(`INSERT ... SELECT ... ON CONFLICT DO NOTHING`, after an anti-join so a re-run reads and
writes nothing), every status change is a conditional UPDATE, and each step takes a
transaction-level advisory lock, so two cycles (two beats, a beat and an operator) run
the steps one after the other; the second finds nothing left to do. The leases a step
changes are locked in id order before their money is read, so it serializes with the
API and the webhook on each lease without deadlocks. Every change is announced in
`rent-events` through the outbox, in the step's transaction (leases.events).

Dates: a lease's dates are calendar dates in its property's zone. `as_of` (the beat's
tick) lets a lease take part in date D only once D has begun in its zone; without it
(the command, a backfill, tests) D is processed for every lease.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from rentezy_common.tasks import enqueue

from . import ledger
from .events import rent_events_publish
from .models import AutopayAttempt, Invoice, InvoiceNotice, Lease, LedgerEntry
from .representation import invoice_representation, lease_representation

logger = logging.getLogger(__name__)

LEASE = Lease._meta.db_table
INVOICE = Invoice._meta.db_table
ENTRY = LedgerEntry._meta.db_table
NOTICE = InvoiceNotice._meta.db_table
ATTEMPT = AutopayAttempt._meta.db_table
LOCK_KEY = 0x72656E74  # "rent": the advisory lock every cycle step takes
UNPAID = "('open', 'partially_paid')"
GATE_L = ledger.GATE.format(alias="l")

ACTIVATE_SQL = f"""
UPDATE {LEASE} l SET status = 'active', updated_at = now()
WHERE l.status = 'upcoming' AND l.start_date <= %(d)s AND {GATE_L}
RETURNING l.id
"""

ENDING_SQL = f"""
UPDATE {LEASE} l SET status = 'ending', updated_at = now()
WHERE l.status = 'active' AND l.end_date IS NOT NULL
  AND l.end_date - l.notice_days <= %(d)s AND l.end_date >= %(d)s AND {GATE_L}
RETURNING l.id
"""

ENDED_SQL = f"""
UPDATE {LEASE} l SET status = 'ended', ended_on = l.end_date, end_reason = 'end_date',
       updated_at = now()
WHERE l.status IN ('active', 'ending') AND l.end_date < %(d)s AND {GATE_L}
RETURNING l.id
"""

NOTICE_SQL = f"""
INSERT INTO {NOTICE} (invoice_id, kind, for_date, created_at)
SELECT i.id, %(kind)s, %(d)s, now()
FROM {INVOICE} i JOIN {LEASE} l ON l.id = i.lease_id
WHERE i.status IN {UNPAID} AND {{condition}} AND {GATE_L}
  AND NOT EXISTS (SELECT 1 FROM {NOTICE} n WHERE n.invoice_id = i.id AND n.kind = %(kind)s)
ON CONFLICT (invoice_id, kind) DO NOTHING
RETURNING invoice_id
"""
REMINDER_SQL = NOTICE_SQL.format(
    condition="i.due_date - l.reminder_days <= %(d)s AND i.due_date >= %(d)s"
)
OVERDUE_SQL = NOTICE_SQL.format(condition="i.due_date < %(d)s")

LATE_FEE_CANDIDATES = f"""
FROM {INVOICE} i JOIN {LEASE} l ON l.id = i.lease_id
CROSS JOIN LATERAL (SELECT sum(amount) AS balance FROM {ENTRY} WHERE invoice_id = i.id) b
WHERE i.status IN {UNPAID} AND l.late_fee_kind <> 'none'
  AND i.due_date + l.grace_days < %(d)s AND b.balance > 0 AND {GATE_L}
  AND NOT EXISTS (SELECT 1 FROM {ENTRY} e WHERE e.invoice_id = i.id AND e.kind = 'late_fee')
"""
LATE_FEE_LOCK_SQL = f"""
SELECT l.id FROM {LEASE} l WHERE l.id IN (SELECT i.lease_id {LATE_FEE_CANDIDATES})
ORDER BY l.id FOR UPDATE
"""
LATE_FEE_SQL = f"""
INSERT INTO {ENTRY} (lease_id, invoice_id, kind, amount, memo, created_by, created_at)
SELECT i.lease_id, i.id, 'late_fee', f.fee, 'Late fee', 'rent cycle', now()
{
    LATE_FEE_CANDIDATES.replace(
        "WHERE i.status",
        '''CROSS JOIN LATERAL (
    SELECT CASE WHEN l.late_fee_kind = 'flat' THEN l.late_fee_amount
                ELSE round(b.balance * l.late_fee_amount / 100,
                           CASE WHEN l.currency = ANY(%(zero_decimal)s) THEN 0 ELSE 2 END)
           END AS uncapped
) u
CROSS JOIN LATERAL (
    SELECT CASE WHEN l.late_fee_cap IS NULL THEN u.uncapped
                ELSE least(u.uncapped, l.late_fee_cap) END AS fee
) f
WHERE f.fee > 0 AND i.status''',
    )
}
ON CONFLICT (invoice_id) WHERE kind = 'late_fee' DO NOTHING
RETURNING lease_id, invoice_id
"""

FIRST_ATTEMPT_SQL = f"""
INSERT INTO {ATTEMPT} (id, invoice_id, lease_id, number, scheduled_for, status, decline_code,
                       error, created_at, updated_at)
SELECT gen_random_uuid(), i.id, i.lease_id, 1, i.due_date, 'scheduled', '', '', now(), now()
FROM {INVOICE} i JOIN {LEASE} l ON l.id = i.lease_id
WHERE i.status IN {UNPAID} AND i.due_date <= %(d)s AND l.autopay AND l.payment_method_id <> ''
  AND l.status IN ('active', 'ending', 'upcoming') AND {GATE_L}
  AND NOT EXISTS (SELECT 1 FROM {ATTEMPT} a WHERE a.invoice_id = i.id)
ON CONFLICT (invoice_id, number) DO NOTHING
RETURNING id
"""
CLAIM_ATTEMPTS_SQL = f"""
UPDATE {ATTEMPT} a SET status = 'queued', queued_at = now(), updated_at = now()
FROM {LEASE} l
WHERE l.id = a.lease_id AND a.status = 'scheduled' AND a.scheduled_for <= %(d)s AND {GATE_L}
RETURNING a.id
"""


@dataclass
class CycleResult:
    date: str
    changes: dict[str, int] = field(default_factory=dict)
    events: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.changes.values())


def _params(d: date, as_of: datetime | None) -> dict:
    return {"d": d, "as_of": as_of, "zero_decimal": ledger.ZERO_DECIMAL_LIST}


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _step_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def lease_events(lease_ids: list, event_type: str) -> list[tuple]:
    leases = Lease.objects.select_related("deposit").filter(id__in=lease_ids)
    money = ledger.lease_money_many(lease_ids)
    return [(x.id, event_type, lease_representation(x, money[str(x.id)])) for x in leases]


def invoice_events(invoice_ids: list, event_type: str) -> list[tuple]:
    invoices = Invoice.objects.select_related("lease").filter(id__in=invoice_ids)
    totals = ledger.invoice_totals(invoice_ids)
    return [
        (i.lease_id, event_type, invoice_representation(i, totals[str(i.id)]))
        for i in sorted(invoices, key=lambda i: (str(i.lease_id), i.period_start))
    ]


def run_rent_cycle(d: date, *, as_of: datetime | None = None) -> CycleResult:
    """Everything the rent needs on date `d` (see the module's text)."""
    started = time.monotonic()
    result = CycleResult(date=d.isoformat())
    params = _params(d, as_of)

    def step(name: str, work) -> None:
        with transaction.atomic():
            _step_lock()
            changed, events = work()
            result.changes[name] = changed
            result.events += rent_events_publish(events)

    def leases_moved(sql: str, event_type: str):
        def work():
            ids = [row[0] for row in _fetch(sql, params)]
            return len(ids), lease_events(ids, event_type)

        return work

    def issue():
        horizon = d + timedelta(days=settings.RENT_INVOICE_LEAD_DAYS)
        since = horizon - timedelta(days=settings.RENT_ISSUE_CATCH_UP_DAYS)
        issued = ledger.invoices_issue(d=d, horizon=horizon, since=since, as_of=as_of)
        return len(issued), invoice_events([i for _, i in issued], "invoice.issued")

    def credit():
        leases = ledger.leases_with_credit_due()
        if not leases:
            return 0, []
        moves = ledger.credit_apply(lease_ids=leases)
        changes = ledger.invoices_refresh_status([i for _, i, _ in moves])
        currencies = dict(Lease.objects.filter(id__in=leases).values_list("id", "currency"))
        events = [
            (lease_id, "credit.applied", {"lease_id": str(lease_id), "invoice_id": str(i),
                                          "amount": f"{amount:.2f}",
                                          "currency": currencies[lease_id]})
            for lease_id, i, amount in moves
        ]  # fmt: skip
        paid = [i for _, i, _, status in changes if status == "paid"]
        return len(moves), events + invoice_events(paid, "invoice.paid")

    def notices(sql: str, kind: str, event_type: str):
        def work():
            ids = [row[0] for row in _fetch(sql, {**params, "kind": kind})]
            return len(ids), invoice_events(ids, event_type)

        return work

    def late_fees():
        if not _fetch(LATE_FEE_LOCK_SQL, params):
            return 0, []
        applied = _fetch(LATE_FEE_SQL, params)
        ids = [i for _, i in applied]
        ledger.invoices_refresh_status(ids)
        return len(ids), invoice_events(ids, "late_fee.applied")

    def autopay():
        scheduled = _fetch(FIRST_ATTEMPT_SQL, params)
        queued = [str(row[0]) for row in _fetch(CLAIM_ATTEMPTS_SQL, params)]
        batch = settings.RENT_AUTOPAY_TASK_BATCH
        for start in range(0, len(queued), batch):
            ids = queued[start : start + batch]
            transaction.on_commit(lambda ids=ids: enqueue("leases.charge_autopay", ids))
        result.changes["autopay_queued"] = len(queued)
        return len(scheduled), []

    step("activated", leases_moved(ACTIVATE_SQL, "lease.activated"))
    step("invoices", issue)
    step("credit", credit)
    step("reminders", notices(REMINDER_SQL, "reminder", "invoice.reminder_due"))
    step("overdue", notices(OVERDUE_SQL, "overdue", "invoice.overdue"))
    step("late_fees", late_fees)
    step("autopay_scheduled", autopay)
    step("ending", leases_moved(ENDING_SQL, "lease.ending"))
    step("ended", leases_moved(ENDED_SQL, "lease.ended"))
    result.seconds = round(time.monotonic() - started, 3)
    logger.info(
        "rent cycle",
        extra={"date": result.date, "changes": result.changes, "events": result.events,
               "seconds": result.seconds},
    )  # fmt: skip
    return result


def run_rent_cycle_range(first: date, last: date, **kwargs) -> list[CycleResult]:
    """Each date from `first` to `last` in order (a backfill of missed days)."""
    results, day = [], first
    while day <= last:
        results.append(run_rent_cycle(day, **kwargs))
        day += timedelta(days=1)
    return results


def dates_to_run(now: datetime) -> list[date]:
    """The beat's tick: the dates that have begun somewhere (UTC-12 to UTC+14) and may
    not be over everywhere; `as_of=now` lets each lease take part from its own
    midnight."""
    utc = now.date()
    return [utc - timedelta(days=1), utc, utc + timedelta(days=1)]
