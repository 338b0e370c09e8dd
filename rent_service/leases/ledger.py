"""The ledger's set-based writes, shared by the services (one lease) and the daily cycle
(every lease at once): issuing invoices, moving credit onto invoices, refreshing invoice
statuses from their entries, and reading balances.

Why a module of its own (docs/architecture/layout.md): these are SQL statements that
work on sets of rows (`INSERT ... SELECT ... ON CONFLICT DO NOTHING`), so that the
daily cycle never loops over leases in Python and a single lease is served by the very
same statement (scoped by `lease_ids`). They run inside the caller's transaction and
emit nothing: callers (services.py, cycle.py) publish the events of what they return.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection

from rentezy_common.payments import ZERO_DECIMAL

from .models import Invoice, Lease, LedgerEntry

LEASE = Lease._meta.db_table
INVOICE = Invoice._meta.db_table
ENTRY = LedgerEntry._meta.db_table
ZERO_DECIMAL_LIST = sorted(ZERO_DECIMAL)

# "Today" of a lease is a date in its property's zone: with `as_of` (the beat's tick),
# a lease takes part in the cycle for date %(d)s only once that date has begun there.
# Without it (an operator's command, a backfill, tests) every lease does.
GATE = (
    "(%(as_of)s::timestamptz IS NULL "
    "OR (%(as_of)s::timestamptz AT TIME ZONE {alias}.time_zone)::date >= %(d)s)"
)
SCOPE = "(%(lease_ids)s::uuid[] IS NULL OR {alias}.id = ANY(%(lease_ids)s::uuid[]))"


def month_start(expr: str) -> str:
    return f"date_trunc('month', ({expr})::timestamp)::date"


def plus_months(expr: str, months: int) -> str:
    return f"({expr} + interval '{months} month')::date"


def _rounding(currency: str) -> str:
    return f"CASE WHEN {currency} = ANY(%(zero_decimal)s) THEN 0 ELSE 2 END"


# Every period of every live lease starting in [since, horizon] that has no invoice
# yet, issued with its rent (prorated by days: leases.policies explains the periods).
ISSUE_SQL = f"""
WITH live AS (
    SELECT l.id, l.due_day, l.start_date, l.end_date, l.monthly_rent, l.currency
    FROM {LEASE} l
    WHERE l.status IN ('upcoming', 'active', 'ending')
      AND l.start_date <= %(horizon)s
      AND (l.end_date IS NULL OR l.end_date >= %(since)s)
      AND {SCOPE.format(alias="l")} AND {GATE.format(alias="l")}
),
starts AS (
    SELECT live.*, s.p
    FROM live CROSS JOIN LATERAL (
        SELECT ({month_start("%(since)s::date")} + make_interval(months => g))::date
               + (live.due_day - 1) AS p
        FROM generate_series(0, %(months)s) g
        UNION SELECT live.start_date
    ) s
    WHERE s.p >= live.start_date AND s.p >= %(since)s AND s.p <= %(horizon)s
      AND (live.end_date IS NULL OR s.p <= live.end_date)
),
bounds AS (
    SELECT DISTINCT ON (st.id, st.p) st.*,
        CASE WHEN extract(day FROM st.p) >= st.due_day
             THEN {month_start("st.p")} + (st.due_day - 1)
             ELSE {plus_months(month_start("st.p"), -1)} + (st.due_day - 1) END AS full_start,
        CASE WHEN extract(day FROM st.p) < st.due_day
             THEN {month_start("st.p")} + (st.due_day - 1)
             ELSE {plus_months(month_start("st.p"), 1)} + (st.due_day - 1) END AS next_due
    FROM starts st
),
periods AS (
    SELECT b.id AS lease_id, b.p AS period_start,
           least(b.next_due, coalesce(b.end_date + 1, b.next_due)) AS period_end,
           b.full_start,
           {plus_months(month_start("b.full_start"), 1)} + (b.due_day - 1) AS full_end,
           b.monthly_rent, b.currency
    FROM bounds b
    WHERE NOT EXISTS (
        SELECT 1 FROM {INVOICE} i WHERE i.lease_id = b.id AND i.period_start = b.p
    )
),
issued AS (
    INSERT INTO {INVOICE} (id, lease_id, period_start, period_end, due_date, prorated,
                           status, issued_at)
    SELECT gen_random_uuid(), lease_id, period_start, period_end, period_start,
           (period_end - period_start) <> (full_end - full_start), 'open', now()
    FROM periods
    ORDER BY lease_id, period_start
    ON CONFLICT (lease_id, period_start) DO NOTHING
    RETURNING id, lease_id, period_start, period_end
)
INSERT INTO {ENTRY} (lease_id, invoice_id, kind, amount, memo, created_by, created_at)
SELECT i.lease_id, i.id, 'rent',
       CASE WHEN (i.period_end - i.period_start) = (p.full_end - p.full_start)
            THEN p.monthly_rent
            ELSE round(p.monthly_rent * (i.period_end - i.period_start)
                       / (p.full_end - p.full_start), {_rounding("p.currency")}) END,
       'Rent ' || i.period_start || ' to ' || (i.period_end - 1), 'rent cycle', now()
FROM issued i JOIN periods p ON p.lease_id = i.lease_id AND p.period_start = i.period_start
RETURNING lease_id, invoice_id
"""


def invoices_issue(
    *, d: date, horizon: date, since: date, lease_ids: list | None = None,
    as_of: datetime | None = None,
) -> list[tuple]:  # fmt: skip
    """Issue the missing invoices of periods starting in [since, horizon]; returns
    (lease_id, invoice_id) of each one issued."""
    months = (horizon.year - since.year) * 12 + horizon.month - since.month + 1
    with connection.cursor() as cursor:
        cursor.execute(
            ISSUE_SQL,
            {
                "d": d,
                "horizon": horizon,
                "since": since,
                "months": months,
                "lease_ids": [str(i) for i in lease_ids] if lease_ids is not None else None,
                "as_of": as_of,
                "zero_decimal": ZERO_DECIMAL_LIST,
            },
        )
        return cursor.fetchall()


# Credit (minus the entries on no invoice) moved onto the lease's collectible invoices,
# oldest period first, as pairs of entries (+ off the credit, - onto the invoice).
CREDIT_SQL = f"""
WITH credit AS (
    SELECT e.lease_id, -sum(e.amount) AS credit
    FROM {ENTRY} e
    WHERE e.invoice_id IS NULL AND {SCOPE.format(alias="e").replace("e.id", "e.lease_id")}
    GROUP BY e.lease_id HAVING sum(e.amount) < 0
),
unpaid AS (
    SELECT i.id, i.lease_id, i.period_start, b.balance
    FROM {INVOICE} i
    JOIN credit c ON c.lease_id = i.lease_id
    CROSS JOIN LATERAL (
        SELECT sum(amount) AS balance FROM {ENTRY} WHERE invoice_id = i.id
    ) b
    WHERE i.status IN ('open', 'partially_paid') AND b.balance > 0
),
allocation AS (
    SELECT u.id, u.lease_id,
           least(u.balance, c.credit - coalesce(sum(u.balance) OVER (
               PARTITION BY u.lease_id ORDER BY u.period_start
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) AS amount
    FROM unpaid u JOIN credit c ON c.lease_id = u.lease_id
),
moved AS (
    INSERT INTO {ENTRY} (lease_id, invoice_id, kind, amount, memo, created_by, created_at)
    SELECT a.lease_id, NULL, 'credit_applied', a.amount, 'Credit applied to an invoice',
           %(actor)s, now() FROM allocation a WHERE a.amount > 0
    RETURNING id
)
INSERT INTO {ENTRY} (lease_id, invoice_id, kind, amount, memo, created_by, created_at)
SELECT a.lease_id, a.id, 'credit_applied', -a.amount, 'Credit applied', %(actor)s, now()
FROM allocation a WHERE a.amount > 0
RETURNING lease_id, invoice_id, -amount
"""


def credit_apply(*, lease_ids: list | None = None, actor: str = "rent cycle") -> list[tuple]:
    """Move each lease's credit onto its unpaid invoices; (lease_id, invoice_id, amount)
    of each move. Callers hold the leases' row locks (services: the one; the cycle:
    those with credit, locked in id order)."""
    with connection.cursor() as cursor:
        cursor.execute(
            CREDIT_SQL,
            {
                "lease_ids": [str(i) for i in lease_ids] if lease_ids is not None else None,
                "actor": actor,
            },
        )
        return cursor.fetchall()


def leases_with_credit_due() -> list:
    """Leases with credit and an unpaid invoice (the cycle locks them, then applies)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT l.id FROM {LEASE} l
            WHERE l.id IN (
                SELECT e.lease_id FROM {ENTRY} e WHERE e.invoice_id IS NULL
                GROUP BY e.lease_id HAVING sum(e.amount) < 0
            )
            AND EXISTS (
                SELECT 1 FROM {INVOICE} i
                WHERE i.lease_id = l.id AND i.status IN ('open', 'partially_paid')
            )
            ORDER BY l.id FOR UPDATE OF l
            """
        )
        return [row[0] for row in cursor.fetchall()]


# An invoice's status from its entries: paid when nothing is owed, partially paid when
# some of its charges are, open otherwise; an uncollectible one stays so until paid.
REFRESH_SQL = f"""
WITH totals AS (
    SELECT invoice_id, sum(amount) AS balance,
           coalesce(sum(amount) FILTER (WHERE amount > 0), 0) AS charges
    FROM {ENTRY} WHERE invoice_id = ANY(%(ids)s::uuid[]) GROUP BY invoice_id
),
target AS (
    SELECT i.id, i.status AS current,
           CASE WHEN t.balance <= 0 THEN 'paid'
                WHEN i.status = 'uncollectible' THEN 'uncollectible'
                WHEN t.balance < t.charges THEN 'partially_paid'
                ELSE 'open' END AS status
    FROM {INVOICE} i JOIN totals t ON t.invoice_id = i.id
    WHERE i.status IN ('open', 'partially_paid', 'paid', 'uncollectible')
)
UPDATE {INVOICE} i SET status = target.status
FROM target WHERE i.id = target.id AND target.status <> target.current
RETURNING i.lease_id, i.id, target.current, i.status
"""


def invoices_refresh_status(invoice_ids: list) -> list[tuple]:
    """Bring the statuses of these invoices in line with their entries; returns
    (lease_id, invoice_id, previous status, status) of each one that changed."""
    if not invoice_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(REFRESH_SQL, {"ids": [str(i) for i in invoice_ids]})
        return cursor.fetchall()


def entries_add(rows: list[dict]) -> list[LedgerEntry]:
    """Append entries (never update or delete one)."""
    return LedgerEntry.objects.bulk_create([LedgerEntry(**row) for row in rows])


def invoice_balance(invoice_id) -> Decimal:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(sum(amount), 0) FROM {ENTRY} WHERE invoice_id = %s", [invoice_id]
        )
        return cursor.fetchone()[0]


def lease_money(lease_id) -> dict[str, Decimal]:
    """A lease's balance (the sum of all of its entries: owed if positive) and credit
    (minus the sum of its entries on no invoice, never negative)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT coalesce(sum(amount), 0),
                   coalesce(-sum(amount) FILTER (WHERE invoice_id IS NULL), 0)
            FROM {ENTRY} WHERE lease_id = %s
            """,
            [lease_id],
        )
        balance, credit = cursor.fetchone()
    return {"balance": balance, "credit": credit}


def local_today(time_zone: str, now: datetime | None = None) -> date:
    """Today's date in a lease's zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from django.utils import timezone

    now = now or timezone.now()
    try:
        return now.astimezone(ZoneInfo(time_zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.astimezone(ZoneInfo("UTC")).date()


def catch_up_since(horizon: date, days: int) -> date:
    return horizon - timedelta(days=days)


def invoice_totals(invoice_ids: list) -> dict:
    """Per invoice: its charges by kind, what paid it, and its balance."""
    if not invoice_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT invoice_id,
                   coalesce(sum(amount) FILTER (WHERE kind = 'rent'), 0),
                   coalesce(sum(amount) FILTER (WHERE kind = 'late_fee'), 0),
                   coalesce(-sum(amount) FILTER (WHERE kind = 'waiver'), 0),
                   coalesce(sum(amount) FILTER (WHERE kind IN ('adjustment', 'credit')), 0),
                   coalesce(-sum(amount) FILTER (
                       WHERE kind IN ('payment', 'credit_applied', 'deposit_applied')), 0),
                   coalesce(sum(amount), 0)
            FROM {ENTRY} WHERE invoice_id = ANY(%s::uuid[]) GROUP BY invoice_id
            """,
            [[str(i) for i in invoice_ids]],
        )
        rows = cursor.fetchall()
    zero = Decimal("0.00")
    totals = {
        str(i): {"rent": zero, "late_fee": zero, "waived": zero, "adjustments": zero,
                 "paid": zero, "balance": zero}
        for i in invoice_ids
    }  # fmt: skip
    for invoice_id, rent, fee, waived, adjustments, paid, balance in rows:
        totals[str(invoice_id)] = {
            "rent": rent, "late_fee": fee, "waived": waived, "adjustments": adjustments,
            "paid": paid, "balance": balance,
        }  # fmt: skip
    return totals


def lease_money_many(lease_ids: list) -> dict:
    if not lease_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT lease_id, coalesce(sum(amount), 0),
                   coalesce(-sum(amount) FILTER (WHERE invoice_id IS NULL), 0)
            FROM {ENTRY} WHERE lease_id = ANY(%s::uuid[]) GROUP BY lease_id
            """,
            [[str(i) for i in lease_ids]],
        )
        rows = cursor.fetchall()
    money = {str(i): {"balance": Decimal("0.00"), "credit": Decimal("0.00")} for i in lease_ids}
    for lease_id, balance, credit in rows:
        money[str(lease_id)] = {"balance": balance, "credit": credit}
    return money
