"""Rent rules that are arithmetic, not I/O: due days, periods and their proration, late
fees, the autopay retry schedule, what a refund takes from credit. Pure functions of
their arguments (and settings).

Periods. A lease's rent is due in advance on its due day (1..28, so every month has
it). Its first period runs from the start date to the first due day after it (a whole
month when the lease starts on its due day); then every period runs from one due day to
the next; the last one is cut at the end date (inclusive). A period shorter than the
month it lies in is prorated by days: rent * days in the period / days from the due day
on or before its start to the next due day. The daily cycle computes the same periods
in SQL (leases.ledger.ISSUE_SQL); tests/test_periods.py holds the two to each other.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from rentezy_common.payments import quantize

MAX_DUE_DAY = 28

# Stripe decline codes that no retry can fix (https://docs.stripe.com/declines/codes):
# the card is gone, refused for good, or the charge is suspected fraud.
HARD_DECLINES = frozenset(
    {
        "authentication_required", "card_not_supported", "currency_not_supported",
        "do_not_honor", "do_not_try_again", "expired_card", "fraudulent", "incorrect_number",
        "invalid_account", "lost_card", "merchant_blacklist", "new_account_information_available",
        "pickup_card", "restricted_card", "revocation_of_all_authorizations",
        "revocation_of_authorization", "security_violation", "stolen_card",
        "stop_payment_order",
    }
)  # fmt: skip


def due_day_for(move_in: date) -> int:
    """The default due day: the move-in day, capped at 28."""
    return min(move_in.day, MAX_DUE_DAY)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def boundary_on_or_before(day: date, due_day: int) -> date:
    """The latest due day on or before `day`."""
    if day.day >= due_day:
        return day.replace(day=due_day)
    return add_months(day.replace(day=1), -1).replace(day=due_day)


def boundary_after(day: date, due_day: int) -> date:
    """The first due day strictly after `day`."""
    if day.day < due_day:
        return day.replace(day=due_day)
    return add_months(day.replace(day=1), 1).replace(day=due_day)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    full_start: date  # the whole month's period it lies in
    full_end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def full_days(self) -> int:
        return (self.full_end - self.full_start).days

    @property
    def prorated(self) -> bool:
        return self.days != self.full_days


def period_starting(start: date, *, due_day: int, end_date: date | None) -> Period:
    """The period that starts on `start` (the lease's start or a due day)."""
    full_start = boundary_on_or_before(start, due_day)
    full_end = boundary_after(full_start, due_day)
    end = boundary_after(start, due_day)
    if end_date is not None:
        end = min(end, end_date + timedelta(days=1))
    return Period(start, end, full_start, full_end)


def periods(
    *, start_date: date, due_day: int, end_date: date | None, through: date
) -> list[Period]:
    """Every period of a lease starting on or before `through`."""
    found = []
    current = start_date
    while current <= through and (end_date is None or current <= end_date):
        period = period_starting(current, due_day=due_day, end_date=end_date)
        found.append(period)
        current = period.end
    return found


def period_amount(monthly_rent: Decimal, period: Period, currency: str) -> Decimal:
    """The rent of a period: the whole rent, or prorated by days."""
    if not period.prorated:
        return monthly_rent
    return quantize(monthly_rent * period.days / period.full_days, currency)


def late_fee(
    *, kind: str, amount: Decimal, cap: Decimal | None, overdue: Decimal, currency: str
) -> Decimal:
    """The late fee of an invoice with `overdue` unpaid after its grace period."""
    if kind == "flat":
        fee = amount
    elif kind == "percent":
        fee = quantize(overdue * amount / 100, currency)
    else:
        return Decimal("0.00")
    if cap is not None:
        fee = min(fee, cap)
    return max(fee, Decimal("0.00"))


def retry_schedule() -> list[int]:
    """Days after a failed autopay attempt before the next one (RENT_AUTOPAY_RETRY_DAYS,
    e.g. 1,3,5: attempt 2 a day after the first failed, attempt 3 three days after the
    second, attempt 4 five days after the third; then no more)."""
    return list(settings.RENT_AUTOPAY_RETRY_DAYS)


def next_attempt_date(*, number: int, failed_on: date, decline_code: str) -> date | None:
    """When attempt `number + 1` is made after attempt `number` failed on `failed_on`,
    or None: a hard decline, or the schedule is spent."""
    if decline_code in HARD_DECLINES:
        return None
    schedule = retry_schedule()
    if number > len(schedule):
        return None
    return failed_on + timedelta(days=schedule[number - 1])


def refund_split(*, amount: Decimal, credit: Decimal) -> tuple[Decimal, Decimal]:
    """A refund to the card of `amount`: (what it takes from the tenant's credit, the
    goodwill rest that a matching adjustment covers, so the tenant is never put in
    debt by a refund)."""
    from_credit = min(amount, max(credit, Decimal("0.00")))
    return from_credit, amount - from_credit


def overpayment_cap(*, balance: Decimal, monthly_rent: Decimal) -> Decimal:
    """The most one payment of an invoice may be: its balance plus
    RENT_MAX_OVERPAYMENT_MONTHS of rent as credit."""
    return balance + monthly_rent * settings.RENT_MAX_OVERPAYMENT_MONTHS


def notice_end_date(*, today: date, notice_days: int, requested: date | None) -> date:
    """The last day of a lease after notice given `today`: the requested day, but never
    before the notice period has run."""
    earliest = today + timedelta(days=notice_days)
    return max(requested or earliest, earliest)


def refund_retry_delay(attempts: int) -> timedelta:
    """Wait before refund attempt `attempts + 1` after Stripe could not be reached: 30 s
    doubling per attempt, capped at an hour."""
    seconds = settings.RENT_REFUND_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, 3600))
