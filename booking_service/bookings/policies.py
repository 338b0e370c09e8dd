"""Booking rules that are arithmetic, not I/O: what a cancellation refunds, how long to
wait before the next refund attempt. Pure functions of their arguments and settings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

CENT = Decimal("0.01")


def refund_for_tenant_cancellation(
    *, move_in_date: date, today: date, amount_paid: Decimal, deposit: Decimal, monthly: Decimal
) -> Decimal:
    """The refund policy (docs/services/booking.md): everything back up to
    BOOKING_FULL_REFUND_DAYS before move-in; later, the deposit plus
    BOOKING_LATE_CANCEL_REFUND_PERCENT of the first month."""
    if (move_in_date - today).days >= settings.BOOKING_FULL_REFUND_DAYS:
        return amount_paid
    share = Decimal(settings.BOOKING_LATE_CANCEL_REFUND_PERCENT) / 100
    refund = deposit + (monthly * share).quantize(CENT)
    return min(refund, amount_paid)


def refund_retry_delay(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1` after a transient failure: 30 s doubling per
    attempt, capped at an hour (8 attempts span about two hours)."""
    seconds = settings.BOOKING_REFUND_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, 3600))
