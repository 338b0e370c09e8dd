"""Due dates and proration: the rules (leases.policies) across month ends, February,
leap years, move-ins on the 29th to 31st and leases ending mid-month; and the daily
cycle's SQL (leases.ledger.ISSUE_SQL) held to the same rules over a grid of leases."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from leases import ledger, policies
from leases.models import Invoice, Lease, LedgerEntry

RENT = Decimal("30000.00")


def amounts(start, due_day, end, through, rent=RENT, currency="INR"):
    return [
        (p.start, p.end, policies.period_amount(rent, p, currency))
        for p in policies.periods(start_date=start, due_day=due_day, end_date=end, through=through)
    ]


def test_due_day_is_the_move_in_day_capped_at_28():
    assert policies.due_day_for(date(2026, 3, 15)) == 15
    for day in (28, 29, 30, 31):
        assert policies.due_day_for(date(2026, 1, day)) == 28


def test_a_lease_starting_on_its_due_day_has_whole_months():
    got = amounts(date(2026, 1, 15), 15, None, date(2026, 3, 31))
    assert got == [
        (date(2026, 1, 15), date(2026, 2, 15), RENT),
        (date(2026, 2, 15), date(2026, 3, 15), RENT),
        (date(2026, 3, 15), date(2026, 4, 15), RENT),
    ]


def test_move_in_on_the_31st_prorates_to_the_28th():
    got = amounts(date(2026, 1, 31), 28, None, date(2026, 3, 1))
    # Jan 28 to Feb 28 is 31 days, of which the tenant has 28 (Jan 31 to Feb 27).
    assert got[0] == (date(2026, 1, 31), date(2026, 2, 28), Decimal("27096.77"))
    assert got[1] == (date(2026, 2, 28), date(2026, 3, 28), RENT)


def test_move_in_on_the_29th_of_a_30_day_month():
    got = amounts(date(2026, 4, 29), 28, None, date(2026, 4, 30))
    assert got == [(date(2026, 4, 29), date(2026, 5, 28), Decimal("29000.00"))]  # 29 of 30


def test_february_of_a_leap_year():
    # Feb 29, 2028: the period Feb 28 -> Mar 28 has 29 days; the tenant has 28 of them.
    got = amounts(date(2028, 2, 29), 28, None, date(2028, 3, 1))
    assert got == [(date(2028, 2, 29), date(2028, 3, 28), Decimal("28965.52"))]
    # and a by-hand lease from Feb 15 billed on the 1st: 14 of Feb's 28 or 29 days
    assert amounts(date(2027, 2, 15), 1, None, date(2027, 2, 20))[0][2] == Decimal("15000.00")
    assert amounts(date(2028, 2, 15), 1, None, date(2028, 2, 20))[0][2] == Decimal("15517.24")


def test_a_start_before_the_due_day_pays_the_days_until_it():
    got = amounts(date(2026, 1, 10), 15, None, date(2026, 1, 20))
    assert got[0] == (date(2026, 1, 10), date(2026, 1, 15), Decimal("4838.71"))  # 5 of 31
    assert got[1] == (date(2026, 1, 15), date(2026, 2, 15), RENT)


def test_a_lease_ending_mid_month_prorates_its_last_period():
    got = amounts(date(2026, 1, 1), 1, date(2026, 3, 15), date(2026, 12, 31))
    assert got[-1] == (date(2026, 3, 1), date(2026, 3, 16), Decimal("14516.13"))  # 15 of 31
    assert len(got) == 3


def test_currencies_without_minor_units_round_to_whole_units():
    got = amounts(date(2026, 1, 31), 28, None, date(2026, 2, 1), rent=Decimal("100000"),
                  currency="JPY")  # fmt: skip
    assert got[0][2] == Decimal("90323")


def test_late_fees_flat_percent_and_cap():
    fee = policies.late_fee
    assert fee(kind="flat", amount=Decimal("500"), cap=None, overdue=Decimal("1"),
               currency="INR") == Decimal("500")  # fmt: skip
    assert fee(kind="percent", amount=Decimal("5"), cap=None, overdue=Decimal("30000"),
               currency="INR") == Decimal("1500.00")  # fmt: skip
    assert fee(kind="percent", amount=Decimal("5"), cap=Decimal("1000"), overdue=Decimal("30000"),
               currency="INR") == Decimal("1000")  # fmt: skip
    assert fee(kind="none", amount=Decimal("5"), cap=None, overdue=Decimal("1"),
               currency="INR") == 0  # fmt: skip


def test_retry_schedule_and_hard_declines(settings):
    settings.RENT_AUTOPAY_RETRY_DAYS = [1, 3, 5]
    on = date(2026, 1, 1)
    nxt = policies.next_attempt_date
    assert nxt(number=1, failed_on=on, decline_code="insufficient_funds") == date(2026, 1, 2)
    assert nxt(number=2, failed_on=on, decline_code="insufficient_funds") == date(2026, 1, 4)
    assert nxt(number=3, failed_on=on, decline_code="insufficient_funds") == date(2026, 1, 6)
    assert nxt(number=4, failed_on=on, decline_code="insufficient_funds") is None
    assert nxt(number=1, failed_on=on, decline_code="stolen_card") is None


def _grid():
    starts = [date(2027, 12, 25) + timedelta(days=3 * i) for i in range(25)]
    for i, start in enumerate(starts):
        for due_day in (1, 15, 28):
            end = None if i % 3 else start + timedelta(days=40 + i)
            yield start, due_day, end


@pytest.mark.django_db
def test_the_cycle_sql_issues_exactly_the_periods_of_the_rules():
    leases = []
    for start, due_day, end in _grid():
        leases.append(Lease.objects.create(
            tenant_id="t", landlord_id="l", property_id=uuid.uuid4(), status="active",
            currency="INR", monthly_rent=Decimal("31000.50"), due_day=due_day,
            start_date=start, end_date=end,
        ))  # fmt: skip
    through = date(2028, 5, 1)
    # One statement for all of them, from each start (as a backfill would).
    ledger.invoices_issue(d=through, horizon=through, since=date(2027, 12, 1),
                          lease_ids=[x.id for x in leases])  # fmt: skip
    for lease in leases:
        expected = amounts(lease.start_date, lease.due_day, lease.end_date, through,
                           rent=lease.monthly_rent)  # fmt: skip
        got = [
            (i.period_start, i.period_end, e.amount)
            for i in Invoice.objects.filter(lease=lease).order_by("period_start")
            for e in LedgerEntry.objects.filter(invoice=i, kind="rent")
        ]
        assert got == expected, (lease.start_date, lease.due_day, lease.end_date)
        prorated = [
            i.prorated for i in Invoice.objects.filter(lease=lease).order_by("period_start")
        ]
        assert prorated == [
            p.prorated
            for p in policies.periods(start_date=lease.start_date, due_day=lease.due_day,
                                      end_date=lease.end_date, through=through)
        ]  # fmt: skip
    # Issuing again changes nothing.
    again = ledger.invoices_issue(d=through, horizon=through, since=date(2027, 12, 1),
                                  lease_ids=[x.id for x in leases])  # fmt: skip
    assert again == []
