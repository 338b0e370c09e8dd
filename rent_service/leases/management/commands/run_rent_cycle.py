"""`manage.py run_rent_cycle --date 2026-12-01` (one date) or
`--from 2026-12-01 --to 2026-12-04` (a backfill, each date in order). Idempotent: a date
run again changes nothing. Prints what each date changed (JSON lines)."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from leases.cycle import run_rent_cycle_range


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Run the daily rent cycle for a date, or for each date of a range."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, UTC)")
        parser.add_argument("--from", dest="first", help="first date of a range")
        parser.add_argument("--to", dest="last", help="last date of a range")

    def handle(self, *args, date=None, first=None, last=None, **options) -> None:
        if date and (first or last):
            raise CommandError("give --date, or --from and --to")
        if first or last:
            if not (first and last):
                raise CommandError("a range needs both --from and --to")
            start, end = _date(first), _date(last)
        else:
            start = end = _date(date) if date else timezone.now().date()
        if end < start:
            raise CommandError("--to is before --from")
        if (end - start).days > 366:
            raise CommandError("at most a year at a time")
        for result in run_rent_cycle_range(start, end):
            self.stdout.write(json.dumps({"date": result.date, "changes": result.changes,
                                          "events": result.events,
                                          "seconds": result.seconds}))  # fmt: skip
