"""The daily cycle: run twice for a date, or by two processes at once, it changes
nothing the second time (one reminder, one late fee, one autopay attempt, the same
ledger); a backfill of skipped days gives the ledger daily runs give; its statements do
not grow with the number of leases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from leases import cycle
from leases.models import AutopayAttempt, InvoiceNotice, Lease, LedgerEntry

from rentezy_common.testing.concurrency import run_together
from tests.conftest import invoices, make_lease, run, save_card

pytestmark = pytest.mark.usefixtures("empty_queue")

# The first of a month far enough ahead that nothing is issued when the leases are made.
START = (date.today().replace(day=1) + timedelta(days=75)).replace(day=1)


def world(landlord, tenant, n: int = 3, **terms) -> list[Lease]:
    """`n` leases from START, due on the 1st, 5% late after 3 days (capped at 1,000)."""
    return [
        make_lease(landlord, f"{tenant.user_id}{i}", **{
            "start_date": START, "due_day": 1, "late_fee_kind": "percent",
            "late_fee_amount": "5.00", "late_fee_cap": "1000.00", "grace_days": 3, **terms,
        })
        for i in range(n)
    ]  # fmt: skip


def snapshot() -> list[tuple]:
    return sorted(
        LedgerEntry.objects.values_list(
            "lease__tenant_id", "kind", "amount", "invoice__period_start"
        )
    )


@pytest.mark.django_db
def test_running_a_date_twice_changes_nothing_the_second_time(landlord, tenant):
    world(landlord, tenant)
    for offset in range(-8, 10):
        first = run(START + timedelta(days=offset))
        before = snapshot()
        second = run(START + timedelta(days=offset))
        assert second.total == 0 and second.events == 0, (offset, second.changes)
        assert snapshot() == before
    assert InvoiceNotice.objects.filter(kind="reminder").count() == 3
    assert InvoiceNotice.objects.filter(kind="overdue").count() == 3
    assert LedgerEntry.objects.filter(kind="late_fee").count() == 3
    assert first.total == 0


@pytest.mark.django_db(transaction=True)
def test_two_cycles_at_once_act_once(landlord, tenant):
    leases = world(landlord, tenant)
    for lease in leases[:1]:
        lease.refresh_from_db()
        save_card(GatewayTenant(lease.tenant_id), lease)
    days = [START + timedelta(days=offset) for offset in range(-8, 6)]
    for d in days:
        results = run_together([lambda d=d: cycle.run_rent_cycle(d)] * 2)
        for r in results:
            assert not isinstance(r, Exception), r
    assert InvoiceNotice.objects.filter(kind="reminder").count() == 3
    assert LedgerEntry.objects.filter(kind="late_fee").count() == 3  # no worker charged
    assert AutopayAttempt.objects.filter(number=1).count() == 1
    assert LedgerEntry.objects.filter(kind="rent").count() == 3


class GatewayTenant:
    def __new__(cls, user_id):
        from rentezy_common.testing.clients import GatewayClient

        return GatewayClient(user_id=user_id, role="tenant")


@pytest.mark.django_db
def test_a_backfill_gives_the_ledger_of_daily_runs(landlord, tenant):
    leases = world(landlord, tenant)
    for offset in range(-8, 9):
        run(START + timedelta(days=offset))
    daily = snapshot()
    daily_notices = InvoiceNotice.objects.count()
    # The same leases again, from scratch: three days skipped, then the range.
    LedgerEntry.objects.all().delete()
    InvoiceNotice.objects.all().delete()
    for lease in leases:
        lease.invoices.all().delete()
    Lease.objects.update(status="upcoming")
    for offset in range(-8, 3):
        run(START + timedelta(days=offset))
    cycle.run_rent_cycle_range(START + timedelta(days=3), START + timedelta(days=8))
    assert snapshot() == daily
    assert InvoiceNotice.objects.count() == daily_notices


@pytest.mark.django_db
def test_the_cycle_does_not_loop_over_leases(landlord, tenant):
    """The number of statements a cycle issues does not depend on how many leases it
    touches (set-based SQL, a fixed number of statements per step)."""

    def queries(n: int, tag: str) -> int:
        world(landlord, type(tenant)(user_id=tag, role="tenant"), n=n)
        with CaptureQueriesContext(connection) as captured:
            run(START - timedelta(days=7))  # issues n invoices
            run(START + timedelta(days=4))  # overdue, late fees for n invoices
        LedgerEntry.objects.all().delete()
        InvoiceNotice.objects.all().delete()
        for lease in Lease.objects.all():
            lease.invoices.all().delete()
        Lease.objects.all().update(status="ended")
        return len(captured)

    assert queries(2, "a") == queries(12, "b")


@pytest.mark.django_db
def test_a_lease_takes_part_in_a_date_from_its_own_midnight(landlord, tenant):
    from datetime import UTC, datetime

    lease = world(landlord, tenant, n=1)[0]
    Lease.objects.filter(pk=lease.pk).update(time_zone="Pacific/Kiritimati")  # UTC+14
    other = world(landlord, type(tenant)(user_id="la", role="tenant"), n=1)[0]
    Lease.objects.filter(pk=other.pk).update(time_zone="America/Los_Angeles")  # UTC-8
    # 11:00 UTC the day before: the issue date (START - 7) has begun in Kiritimati, not
    # yet in Los Angeles.
    issue = START - timedelta(days=7)
    as_of = datetime.combine(issue - timedelta(days=1), datetime.min.time(), UTC) + timedelta(
        hours=11
    )
    cycle.run_rent_cycle(issue, as_of=as_of)
    assert [len(invoices(x)) for x in (lease, other)] == [1, 0]
    cycle.run_rent_cycle(issue, as_of=as_of + timedelta(hours=21))
    assert [len(invoices(x)) for x in (lease, other)] == [1, 1]


@pytest.mark.django_db
def test_the_beat_tick_runs_the_dates_that_have_begun_somewhere():
    from leases.tasks import run_cycle

    today = date.today()
    results = run_cycle()
    assert [r["date"] for r in results] == [
        (today + timedelta(days=offset)).isoformat() for offset in (-1, 0, 1)
    ]
