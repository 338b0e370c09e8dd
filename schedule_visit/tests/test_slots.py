"""`GET /api/visits/properties/{id}/slots/`: computed on the fly from the local hours,
public for a published property, local and UTC times, correct across DST."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import apply, property_snapshot, request_visit

pytestmark = pytest.mark.django_db


def get_slots(client, prop, first: str, last: str | None = None):
    response = client.get(
        f"/api/visits/properties/{prop.id}/slots/", {"from": first, "to": last or first}
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_slots_are_public_with_local_and_utc_times(anonymous, make_property):
    prop = make_property(time_zone="Asia/Kolkata", weekly=[
        {"weekday": d, "start": "10:00", "end": "11:00"} for d in range(1, 8)
    ])  # fmt: skip
    body = anonymous.get(f"/api/visits/properties/{prop.id}/slots/").json()
    assert body["time_zone"] == "Asia/Kolkata" and body["visit_minutes"] == 30
    assert len(body["slots"]) >= 26  # 14 days, two a day (today's may have passed)
    slot = body["slots"][-1]
    assert slot["local_start"].endswith("T10:30:00+05:30")
    assert slot["start"].endswith("T05:00:00Z") and slot["end"].endswith("T05:30:00Z")
    assert (slot["kind"], slot["capacity"], slot["remaining"]) == ("private", 1, 1)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # spring forward: 02:00-03:00 does not exist
        ("America/New_York", "2027-03-14",
         ["01:00-05:00", "01:30-05:00", "03:00-04:00", "03:30-04:00"]),
        # fall back: 01:00-02:00 twice, each instant once
        ("America/New_York", "2027-11-07",
         ["01:00-04:00", "01:30-04:00", "01:00-05:00", "01:30-05:00", "02:00-05:00",
          "02:30-05:00", "03:00-05:00", "03:30-05:00"]),
        ("Europe/London", "2027-03-28", ["00:30+00:00", "02:00+01:00", "02:30+01:00"]),
        ("Europe/London", "2027-10-31",
         ["00:30+01:00", "01:00+01:00", "01:30+01:00", "01:00+00:00", "01:30+00:00",
          "02:00+00:00", "02:30+00:00"]),
        ("Asia/Kolkata", "2027-03-14",
         ["01:00+05:30", "01:30+05:30", "02:00+05:30", "02:30+05:30", "03:00+05:30",
          "03:30+05:30"]),
    ],
)  # fmt: skip
def test_slots_across_dst_days_through_the_api(anonymous, make_property, zone, day, expected):
    window = {
        "America/New_York": ("01:00", "04:00"),
        "Europe/London": ("00:30", "03:00"),
        "Asia/Kolkata": ("01:00", "04:00"),
    }[zone]
    prop = make_property(time_zone=zone, horizon_days=366, weekly=[
        {"weekday": 7, "start": window[0], "end": window[1]},  # both changes fall on Sundays
    ])  # fmt: skip
    slots = get_slots(anonymous, prop, day)["slots"]
    assert [s["local_start"][11:16] + s["local_start"][19:] for s in slots] == expected
    assert len({s["start"] for s in slots}) == len(slots)  # no instant twice
    assert all(s["local_date"] == day for s in slots)


def test_a_booked_dst_slot_is_taken_and_bookable_by_its_offset(tenant, other_tenant,
                                                                make_property):  # fmt: skip
    prop = make_property(time_zone="America/New_York", horizon_days=366, weekly=[
        {"weekday": 7, "start": "01:00", "end": "03:00"},
    ])  # fmt: skip
    second_one_am = "2027-11-07T01:00:00-05:00"  # the repeated hour's 01:00 (EST)
    response = request_visit(tenant, prop, second_one_am)
    assert response.status_code == 201, response.json()
    assert response.json()["start"] == "2027-11-07T06:00:00Z"
    slots = get_slots(other_tenant, prop, "2027-11-07")["slots"]
    left = {s["local_start"]: s["remaining"] for s in slots}
    assert left["2027-11-07T01:00:00-05:00"] == 0 and left["2027-11-07T01:00:00-04:00"] == 1
    # An offset names an instant: 02:30-05:00 on the spring-forward day is 03:30 EDT, no
    # slot of these hours.
    gap = request_visit(other_tenant, prop, "2027-03-14T02:30:00-05:00")
    assert gap.status_code == 400


def test_only_published_properties_show_slots(anonymous, landlord):
    draft = property_snapshot(owner_id=landlord.user_id, status="draft")
    apply(draft, 1)
    path = f"/api/visits/properties/{draft['id']}/slots/"
    assert anonymous.get(path).status_code == 404
    assert landlord.get(path).status_code == 200  # its landlord previews them
    assert anonymous.get(f"/api/visits/properties/{uuid.uuid4()}/slots/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [{"from": "nope"}, {"from": "2027-03-10", "to": "2027-03-01"},
     {"from": "2027-03-01", "to": "2027-06-01"}, {"to": "2027-13-01"}],
)  # fmt: skip
def test_bad_windows_are_400_invalid_parameter(anonymous, prop, query):
    response = anonymous.get(f"/api/visits/properties/{prop.id}/slots/", query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
