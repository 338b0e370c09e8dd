"""Slots from viewing hours: pure rules, no I/O, no ORM (the selectors and services load
the rows and call these).

A property's hours are local wall-clock windows (weekly rules, date exceptions) in its
IANA zone. The slots of one local day are laid out in real time (UTC instants) from the
window's first instant, one `step` (buffer before + visit + buffer after) apart, and a
slot is kept only if its visit starts and ends inside the window's wall-clock hours on
that day. So, across DST changes:

- no slot that does not exist: every slot is an instant, and its local time is read
  from the instant, never made up from a wall time that the spring-forward gap skipped;
- none twice: instants are laid out once, in order, one step apart, so an hour that the
  fall-back repeats gives each instant once (its local time carries its offset);
- the blocked ranges (visit and buffers) of one day's slots never overlap each other, so
  the exclusion constraint never refuses a slot because of its neighbour.

A window's first instant is the earliest reading of its start (the fall-back's first
01:30; a start inside the spring-forward gap reads as the instant before it and the
wall-clock check drops what falls before the window), its last instant the latest
reading of its end.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

OPEN_HOUSE_KEY = "oh:"


@dataclass(frozen=True)
class Window:
    """Local wall-clock hours of one day, and the visitors each of their slots takes."""

    start: time
    end: time
    capacity: int = 1


@dataclass(frozen=True)
class DayException:
    """A date that differs: `closed` drops that day's weekly hours; `window` adds hours."""

    day: date
    closed: bool = False
    window: Window | None = None


@dataclass(frozen=True)
class Hours:
    """A property's viewing settings (visits.models.Availability), as plain values."""

    visit: timedelta = timedelta(minutes=30)
    before: timedelta = timedelta(0)
    after: timedelta = timedelta(0)
    notice: timedelta = timedelta(hours=2)
    horizon: timedelta = timedelta(days=30)
    daily_cap: int | None = None

    @property
    def step(self) -> timedelta:
        return self.before + self.visit + self.after


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime
    blocked_from: datetime  # the visit and its buffers
    blocked_to: datetime
    capacity: int
    day: date  # the property's local date

    @property
    def key(self) -> str | None:
        """The key open-house visitors of this slot share (None for a private slot)."""
        return open_house_key(self.start) if self.capacity > 1 else None


@dataclass(frozen=True)
class Booked:
    """An active visit, as far as slots are concerned."""

    blocked_from: datetime
    blocked_to: datetime
    slot_key: str
    day: date


def open_house_key(start: datetime) -> str:
    return OPEN_HOUSE_KEY + start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zone_of(name: str | None) -> ZoneInfo:
    """The property's zone; UTC for a property without one, or with a name this machine's
    tz database does not know (logged by the caller that stored it)."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)


def _readings(day: date, wall: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return min(first, second), max(first, second)


def window_span(day: date, window: Window, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The window's first and last instants on `day` (see the module's text)."""
    return _readings(day, window.start, zone)[0], _readings(day, window.end, zone)[1]


def day_windows(
    day: date,
    weekly: Mapping[int, Sequence[Window]],
    exceptions: Mapping[date, Sequence[DayException]],
) -> list[Window]:
    """The hours of one local date: its weekday's, unless closed, plus its extra hours."""
    special = exceptions.get(day, ())
    windows = [] if any(e.closed for e in special) else list(weekly.get(day.isoweekday(), ()))
    windows.extend(e.window for e in special if e.window is not None)
    return sorted(windows, key=lambda w: w.start)


def day_slots(day: date, windows: Iterable[Window], zone: ZoneInfo, hours: Hours) -> list[Slot]:
    """Every slot of one local date, in order (whether or not it is bookable now)."""
    slots = []
    step = hours.step
    for window in windows:
        first, last = window_span(day, window, zone)
        opens = datetime.combine(day, window.start)
        closes = datetime.combine(day, window.end)
        at = first
        while at + step <= last:
            start = at + hours.before
            end = start + hours.visit
            wall_start = local(start, zone).replace(tzinfo=None)
            wall_end = local(end, zone).replace(tzinfo=None)
            if opens <= wall_start and wall_end <= closes and wall_start.date() == day:
                slots.append(Slot(start, end, at, at + step, window.capacity, day))
            at += step
    slots.sort(key=lambda s: s.start)
    return slots


def dates(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def bookable(slot: Slot, *, now: datetime, hours: Hours) -> bool:
    return now + hours.notice <= slot.start <= now + hours.horizon


def slots_between(
    first: date,
    last: date,
    *,
    weekly: Mapping[int, Sequence[Window]],
    exceptions: Mapping[date, Sequence[DayException]],
    zone: ZoneInfo,
    hours: Hours,
    now: datetime,
) -> list[Slot]:
    """The bookable slots of the local dates `first`..`last` (notice and horizon applied)."""
    return [
        slot
        for day in dates(first, last)
        for slot in day_slots(day, day_windows(day, weekly, exceptions), zone, hours)
        if bookable(slot, now=now, hours=hours)
    ]


def find_slot(
    start: datetime,
    *,
    weekly: Mapping[int, Sequence[Window]],
    exceptions: Mapping[date, Sequence[DayException]],
    zone: ZoneInfo,
    hours: Hours,
    now: datetime,
) -> Slot | str:
    """The slot starting at `start`, or why there is none: in_the_past,
    inside_minimum_notice, beyond_horizon, outside_hours or off_grid."""
    if start <= now:
        return "in_the_past"
    if start < now + hours.notice:
        return "inside_minimum_notice"
    if start > now + hours.horizon:
        return "beyond_horizon"
    day = local(start, zone).date()
    windows = day_windows(day, weekly, exceptions)
    for slot in day_slots(day, windows, zone, hours):
        if slot.start == start:
            return slot
    for window in windows:
        first, last = window_span(day, window, zone)
        if first <= start < last:
            return "off_grid"
    return "outside_hours"


def remaining(
    slots: Sequence[Slot], booked: Sequence[Booked], *, daily_cap: int | None
) -> list[int]:
    """Places left in each slot: none if a visit of another slot overlaps its blocked
    range or its day is at the daily cap; else its capacity less its own visitors."""
    ordered = sorted(booked, key=lambda b: b.blocked_from)
    starts = [b.blocked_from for b in ordered]
    longest = max((b.blocked_to - b.blocked_from for b in ordered), default=timedelta(0))
    per_day: dict[date, int] = {}
    for b in ordered:
        per_day[b.day] = per_day.get(b.day, 0) + 1
    left = []
    for slot in slots:
        if daily_cap is not None and per_day.get(slot.day, 0) >= daily_cap:
            left.append(0)
            continue
        key = slot.key
        lo = bisect.bisect_left(starts, slot.blocked_from - longest)
        hi = bisect.bisect_left(starts, slot.blocked_to)
        mine = 0
        blocked = False
        for b in ordered[lo:hi]:
            if b.blocked_to <= slot.blocked_from:
                continue
            if key is not None and b.slot_key == key:
                mine += 1
            else:
                blocked = True
                break
        left.append(0 if blocked else max(slot.capacity - mine, 0))
    return left


def overlapping(windows: Sequence[Window]) -> tuple[Window, Window] | None:
    """Two windows of one day that overlap (viewing hours must not), or None."""
    ordered = sorted(windows, key=lambda w: w.start)
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            return a, b
    return None
