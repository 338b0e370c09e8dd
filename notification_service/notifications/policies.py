"""Pure rules: no I/O, no ORM."""

from __future__ import annotations

from datetime import timedelta


def email_retry_delay(*, attempts: int, first: int, cap: int) -> timedelta:
    """The wait before attempt `attempts + 1` of an email: `first` seconds, doubling,
    at most `cap` (10 s, 20 s, 40 s … 10 min by default: a mail server back within a
    minute gets its mail within seconds of returning, one down for hours is not
    hammered)."""
    return timedelta(seconds=min(cap, first * 2 ** max(0, attempts - 1)))
