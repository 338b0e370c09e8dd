"""Slots from local viewing hours, pure (visits.policies): across the spring-forward and
fall-back days of America/New_York and Europe/London, in Asia/Kolkata (no DST), and the
places left in each slot."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from visits import policies
from visits.policies import Booked, DayException, Hours, Window

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
HALF_HOUR = Hours(visit=timedelta(minutes=30), notice=timedelta(0), horizon=timedelta(days=400))


def slots(day: date, start: str, end: str, zone, hours=HALF_HOUR, capacity: int = 1):
    window = Window(time.fromisoformat(start), time.fromisoformat(end), capacity)
    return policies.day_slots(day, [window], zone, hours)


def local_times(found, zone) -> list[str]:
    return [s.start.astimezone(zone).strftime("%H:%M") for s in found]


def assert_sound(found, zone, window_start: str, window_end: str) -> None:
    """What every day's slots must be: real instants, each once, in order, inside the
    local hours, their blocked ranges (visit and buffers) never overlapping."""
    starts = [s.start for s in found]
    assert starts == sorted(set(starts)), "a slot twice, or out of order"
    for slot in found:
        wall = slot.start.astimezone(zone)
        # The local time exists: read back from the wall clock, it is the same instant.
        naive = wall.replace(tzinfo=None)
        readings = {naive.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1)}
        assert slot.start in readings
        assert wall.replace(tzinfo=None).time() >= time.fromisoformat(window_start)
        end_wall = slot.end.astimezone(zone).replace(tzinfo=None)
        assert end_wall.time() <= time.fromisoformat(window_end)
        assert wall.date() == slot.day
        assert slot.end - slot.start == timedelta(minutes=30)
    for a, b in itertools.pairwise(found):
        assert a.blocked_to <= b.blocked_from


# -- America/New_York ----------------------------------------------------------------------
def test_new_york_spring_forward_has_no_slot_in_the_missing_hour():
    day = date(2027, 3, 14)  # 02:00 EST -> 03:00 EDT
    found = slots(day, "01:00", "04:00", NY)
    assert local_times(found, NY) == ["01:00", "01:30", "03:00", "03:30"]
    assert [s.start.strftime("%H:%M") for s in found] == ["06:00", "06:30", "07:00", "07:30"]
    assert_sound(found, NY, "01:00", "04:00")
    # A normal Sunday has the six slots the hours promise.
    assert len(slots(date(2027, 3, 21), "01:00", "04:00", NY)) == 6


def test_new_york_fall_back_gives_each_instant_of_the_repeated_hour_once():
    day = date(2027, 11, 7)  # 02:00 EDT -> 01:00 EST
    found = slots(day, "01:00", "03:00", NY)
    local = [s.start.astimezone(NY).isoformat()[11:] for s in found]
    assert local == [
        "01:00:00-04:00", "01:30:00-04:00",  # the first 01:00-02:00 (EDT)
        "01:00:00-05:00", "01:30:00-05:00",  # the same wall hour again (EST): other instants
        "02:00:00-05:00", "02:30:00-05:00",
    ]  # fmt: skip
    assert_sound(found, NY, "01:00", "03:00")


def test_new_york_evening_hours_stay_local_across_the_change():
    """Weekly hours are wall-clock times: 18:00 is 23:00Z in winter, 22:00Z in summer."""
    before, after = date(2027, 3, 8), date(2027, 3, 15)
    assert slots(before, "18:00", "19:00", NY)[0].start == datetime(2027, 3, 8, 23, tzinfo=UTC)
    assert slots(after, "18:00", "19:00", NY)[0].start == datetime(2027, 3, 15, 22, tzinfo=UTC)


def test_a_window_starting_inside_the_gap_starts_after_it():
    found = slots(date(2027, 3, 14), "02:30", "04:00", NY)
    assert local_times(found, NY)[0] >= "03:00"
    assert_sound(found, NY, "02:30", "04:00")
    assert slots(date(2027, 3, 14), "02:00", "02:59", NY) == []  # hours that never happen


# -- Europe/London -------------------------------------------------------------------------
def test_london_spring_forward():
    day = date(2027, 3, 28)  # 01:00 GMT -> 02:00 BST
    found = slots(day, "00:30", "03:00", LONDON)
    assert local_times(found, LONDON) == ["00:30", "02:00", "02:30"]
    assert_sound(found, LONDON, "00:30", "03:00")


def test_london_fall_back():
    day = date(2027, 10, 31)  # 02:00 BST -> 01:00 GMT
    found = slots(day, "00:30", "02:30", LONDON)
    assert [s.start.astimezone(LONDON).isoformat()[11:] for s in found] == [
        "00:30:00+01:00", "01:00:00+01:00", "01:30:00+01:00",
        "01:00:00+00:00", "01:30:00+00:00", "02:00:00+00:00",
    ]  # fmt: skip
    assert_sound(found, LONDON, "00:30", "02:30")


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        (NY, [date(2027, 3, 14), date(2027, 11, 7)]),
        (LONDON, [date(2027, 3, 28), date(2027, 10, 31)]),
        (KOLKATA, [date(2027, 3, 14), date(2027, 10, 31)]),
    ],
)
@pytest.mark.parametrize("buffers", [(0, 0), (5, 10), (0, 17)])
def test_whole_days_with_buffers_are_sound(zone, days, buffers):
    hours = Hours(
        visit=timedelta(minutes=30), before=timedelta(minutes=buffers[0]),
        after=timedelta(minutes=buffers[1]), notice=timedelta(0), horizon=timedelta(days=400),
    )  # fmt: skip
    for day in days:
        found = slots(day, "00:00", "23:59", zone, hours)
        assert found
        assert_sound(found, zone, "00:00", "23:59")


# -- Asia/Kolkata --------------------------------------------------------------------------
def test_kolkata_has_the_same_slots_every_day_of_the_year():
    first = date(2027, 1, 1)
    for n in range(365):
        day = first + timedelta(days=n)
        found = slots(day, "10:00", "12:00", KOLKATA)
        assert [s.start.astimezone(KOLKATA).strftime("%H:%M%z") for s in found] == [
            "10:00+0530", "10:30+0530", "11:00+0530", "11:30+0530",
        ]  # fmt: skip
        assert found[0].start == datetime(day.year, day.month, day.day, 4, 30, tzinfo=UTC)


# -- the day's hours, bookability, places left ---------------------------------------------
def test_exceptions_close_a_day_and_add_hours():
    weekly = {5: [Window(time(18), time(20))]}  # Fridays
    christmas_eve = date(2027, 12, 24)  # a Friday
    closed = {christmas_eve: [DayException(christmas_eve, closed=True)]}
    assert policies.day_windows(christmas_eve, weekly, closed) == []
    extra = {christmas_eve: [DayException(christmas_eve, window=Window(time(10), time(11), 4))]}
    assert policies.day_windows(christmas_eve, weekly, extra) == [
        Window(time(10), time(11), 4), Window(time(18), time(20)),
    ]  # fmt: skip


def test_find_slot_says_why_a_time_is_not_a_slot():
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    weekly = {d: [Window(time(18), time(20))] for d in range(1, 8)}
    hours = Hours(visit=timedelta(minutes=30), after=timedelta(minutes=10),
                  notice=timedelta(hours=2), horizon=timedelta(days=30))  # fmt: skip

    def find(instant):
        return policies.find_slot(
            instant, weekly=weekly, exceptions={}, zone=KOLKATA, hours=hours, now=now
        )

    ist = KOLKATA
    assert find(datetime(2027, 3, 1, 11, tzinfo=UTC)) == "in_the_past"
    assert find(datetime(2027, 3, 1, 13, tzinfo=UTC)) == "inside_minimum_notice"
    assert find(datetime(2027, 5, 1, 18, tzinfo=ist)) == "beyond_horizon"
    assert find(datetime(2027, 3, 2, 9, tzinfo=ist)) == "outside_hours"
    assert find(datetime(2027, 3, 2, 18, 30, tzinfo=ist)) == "off_grid"  # 18:00, 18:40, ...
    slot = find(datetime(2027, 3, 2, 18, 40, tzinfo=ist))
    assert slot.start == datetime(2027, 3, 2, 13, 10, tzinfo=UTC)
    assert (slot.blocked_from, slot.blocked_to) == (slot.start, slot.start + timedelta(minutes=40))


def test_places_left_count_open_house_visitors_and_block_other_slots():
    day = date(2027, 3, 2)
    private = slots(day, "18:00", "19:00", KOLKATA)
    house = slots(day, "10:00", "11:00", KOLKATA, capacity=4)
    found = house + private
    visitor = Booked(house[0].blocked_from, house[0].blocked_to, house[0].key, day)
    booked_private = Booked(private[1].blocked_from, private[1].blocked_to, "v-1", day)
    assert policies.remaining(found, [visitor, visitor, booked_private], daily_cap=None) == [
        2, 4, 1, 0,
    ]  # fmt: skip
    # A visit from an older grid overlapping an open-house slot leaves no place in it.
    stray = Booked(house[1].blocked_from + timedelta(minutes=10),
                   house[1].blocked_to + timedelta(minutes=10), "v-2", day)  # fmt: skip
    assert policies.remaining(house, [stray], daily_cap=None) == [4, 0]
    assert policies.remaining(found, [booked_private], daily_cap=1) == [0, 0, 0, 0]


def test_overlapping_hours_are_found():
    assert policies.overlapping([Window(time(10), time(12)), Window(time(11), time(13))])
    assert policies.overlapping([Window(time(10), time(12)), Window(time(12), time(13))]) is None
