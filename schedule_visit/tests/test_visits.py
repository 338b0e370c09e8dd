"""The visits API in-process: requests, answers, cancellations, reschedules, the pending
and daily caps, idempotency, and bad input (a 4xx in the platform's shape that changes
nothing)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from visits.models import Capacity, Visit

from rentezy_common.events.models import OutboxEvent
from tests.conftest import apply, property_snapshot, request_visit, slot_at, visit_events

pytestmark = pytest.mark.django_db


def test_tenant_requests_a_slot_and_the_landlord_confirms(tenant, landlord, prop):
    start = slot_at(prop, days=2, hour=10)
    response = request_visit(tenant, prop, start)
    assert response.status_code == 201, response.json()
    visit = response.json()
    assert visit["status"] == "PENDING" and visit["kind"] == "private"
    assert visit["local_start"] == start and visit["time_zone"] == "Asia/Kolkata"
    assert visit["start"].endswith("Z") and visit["sequence"] == 0
    assert visit["owner_id"] == landlord.user_id and visit["tenant_id"] == tenant.user_id

    confirmed = landlord.post(f"/api/visits/requests/{visit['id']}/confirm/")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "CONFIRMED" and confirmed.json()["sequence"] == 1
    events = visit_events(visit["id"])
    assert [e.event_type for e in events] == ["visit.requested", "visit.confirmed"]
    assert [e.version for e in events] == [1, 2]
    assert events[0].topic == "visit-events" and events[1].payload["previous_status"] == "PENDING"
    assert events[1].payload["actor_role"] == "landlord"
    # Only landlords answer; a tenant may not confirm, a stranger does not see it.
    assert tenant.post(f"/api/visits/requests/{visit['id']}/confirm/").status_code == 403
    again = landlord.post(f"/api/visits/requests/{visit['id']}/confirm/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"


def test_auto_confirm_makes_a_confirmed_visit_at_once(tenant, make_property):
    prop = make_property(auto_confirm=True)
    response = request_visit(tenant, prop, slot_at(prop))
    assert response.status_code == 201 and response.json()["status"] == "CONFIRMED"
    [event] = visit_events(response.json()["id"])
    assert event.event_type == "visit.confirmed" and event.payload["auto_confirmed"] is True


def test_the_slot_is_taken_for_the_next_tenant(tenant, other_tenant, prop):
    start = slot_at(prop)
    assert request_visit(tenant, prop, start).status_code == 201
    response = request_visit(other_tenant, prop, start)
    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_taken"
    assert Visit.objects.count() == 1
    slots = other_tenant.get(
        f"/api/visits/properties/{prop.id}/slots/", {"from": start[:10], "to": start[:10]}
    ).json()["slots"]
    assert [s["remaining"] for s in slots if s["local_start"] == start] == [0]


def test_buffers_keep_neighbouring_slots_apart(tenant, other_tenant, make_property):
    prop = make_property(buffer_after_minutes=10)  # 30-minute visits every 40 minutes
    assert request_visit(tenant, prop, slot_at(prop, hour=8, minute=40)).status_code == 201
    off = request_visit(other_tenant, prop, slot_at(prop, hour=9, minute=0))
    assert off.status_code == 400 and off.json()["error"]["code"] == "off_grid"
    assert request_visit(other_tenant, prop, slot_at(prop, hour=9, minute=20)).status_code == 201


def test_decline_and_cancel_free_the_slot(tenant, other_tenant, landlord, prop):
    start = slot_at(prop)
    first = request_visit(tenant, prop, start).json()["id"]
    declined = landlord.post(f"/api/visits/requests/{first}/decline/", {"reason": "Away"},
                             format="json")  # fmt: skip
    assert declined.json()["status"] == "DECLINED" and declined.json()["reason"] == "Away"
    second = request_visit(other_tenant, prop, start)
    assert second.status_code == 201
    cancelled = other_tenant.post(
        f"/api/visits/requests/{second.json()['id']}/cancel/", {"reason": "Found a flat"},
        format="json",
    )  # fmt: skip
    body = cancelled.json()
    assert (body["status"], body["reason"], body["ended_by"]) == (
        "CANCELLED", "Found a flat", "tenant",
    )  # fmt: skip
    assert request_visit(tenant, prop, start).status_code == 201
    no_reason = other_tenant.post(f"/api/visits/requests/{second.json()['id']}/cancel/")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["details"]


def test_reschedule_keeps_the_visit_and_bumps_its_sequence(tenant, landlord, make_property):
    prop = make_property(auto_confirm=True)
    visit = request_visit(tenant, prop, slot_at(prop, hour=10)).json()
    new_start = slot_at(prop, days=3, hour=15, minute=30)
    moved = tenant.post(f"/api/visits/requests/{visit['id']}/reschedule/", {"start": new_start},
                        format="json")  # fmt: skip
    assert moved.status_code == 200, moved.json()
    body = moved.json()
    assert body["id"] == visit["id"] and body["local_start"] == new_start
    assert body["sequence"] == 1 and body["status"] == "CONFIRMED"
    event = visit_events(visit["id"])[-1]
    assert event.event_type == "visit.rescheduled"
    assert event.payload["previous_start"] == visit["start"]
    # The old slot is free again, the new one taken.
    assert request_visit(landlord_tenant(), prop, slot_at(prop, hour=10)).status_code == 201
    taken = request_visit(landlord_tenant(), prop, new_start)
    assert taken.json()["error"]["code"] == "slot_taken"


def landlord_tenant():
    from rentezy_common.testing.clients import GatewayClient

    return GatewayClient(user_id=str(uuid.uuid4().int % 10**9), role="tenant")


def test_tenant_moving_a_confirmed_visit_asks_the_landlord_again(tenant, landlord, prop):
    visit = request_visit(tenant, prop, slot_at(prop, hour=10)).json()
    landlord.post(f"/api/visits/requests/{visit['id']}/confirm/")
    moved = tenant.post(f"/api/visits/requests/{visit['id']}/reschedule/",
                        {"start": slot_at(prop, hour=11)}, format="json").json()  # fmt: skip
    assert moved["status"] == "PENDING" and moved["sequence"] == 2
    by_landlord = landlord.post(f"/api/visits/requests/{visit['id']}/reschedule/",
                                {"start": slot_at(prop, hour=12)}, format="json").json()  # fmt: skip
    assert by_landlord["status"] == "PENDING" and by_landlord["sequence"] == 3


def test_a_failed_reschedule_changes_nothing(tenant, other_tenant, prop):
    mine = request_visit(tenant, prop, slot_at(prop, hour=10)).json()
    theirs = slot_at(prop, hour=11)
    assert request_visit(other_tenant, prop, theirs).status_code == 201
    response = tenant.post(f"/api/visits/requests/{mine['id']}/reschedule/", {"start": theirs},
                           format="json")  # fmt: skip
    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_taken"
    visit = Visit.objects.get(pk=mine["id"])
    assert visit.start.isoformat().replace("+00:00", "Z") == mine["start"] and visit.sequence == 0
    assert [e.event_type for e in visit_events(mine["id"])] == ["visit.requested"]


def test_a_tenant_holds_a_few_pending_requests_per_property(tenant, landlord, prop, settings):
    settings.VISITS_MAX_PENDING_PER_TENANT = 2
    ids = [request_visit(tenant, prop, slot_at(prop, hour=h)).json()["id"] for h in (9, 10)]
    third = request_visit(tenant, prop, slot_at(prop, hour=11))
    assert third.status_code == 409 and third.json()["error"]["code"] == "too_many_pending"
    landlord.post(f"/api/visits/requests/{ids[0]}/confirm/")  # no longer pending
    assert request_visit(tenant, prop, slot_at(prop, hour=11)).status_code == 201
    row = Capacity.objects.get(property=prop, scope="pending", key=tenant.user_id)
    assert (row.taken, row.capacity) == (2, 2)


def test_the_daily_cap_counts_visits_of_a_local_day(tenant, other_tenant, make_property):
    prop = make_property(daily_cap=2, auto_confirm=True)
    assert request_visit(tenant, prop, slot_at(prop, hour=9)).status_code == 201
    assert request_visit(other_tenant, prop, slot_at(prop, hour=10)).status_code == 201
    full = request_visit(landlord_tenant(), prop, slot_at(prop, hour=11))
    assert full.status_code == 409 and full.json()["error"]["code"] == "day_full"
    assert request_visit(landlord_tenant(), prop, slot_at(prop, days=3, hour=11)).status_code == 201
    slots = tenant.get(f"/api/visits/properties/{prop.id}/slots/",
                       {"from": slot_at(prop)[:10], "to": slot_at(prop)[:10]}).json()  # fmt: skip
    assert {s["remaining"] for s in slots["slots"]} == {0}


def test_an_idempotency_key_replays_the_first_answer(tenant, prop):
    start = slot_at(prop)
    first = request_visit(tenant, prop, start, key="visit-1")
    again = request_visit(tenant, prop, start, key="visit-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and Visit.objects.count() == 1
    other = request_visit(tenant, prop, slot_at(prop, hour=11), key="visit-1")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    # A refused request rolls back with its key: corrected, it may use the key again.
    taken = request_visit(landlord_tenant(), prop, start, key="k")
    assert taken.status_code == 409


@pytest.mark.parametrize(
    ("start", "code"),
    [
        ("yesterday", "in_the_past"),
        ("soon", "inside_minimum_notice"),
        ("far", "beyond_horizon"),
        ("night", "outside_hours"),
        ("between", "off_grid"),
    ],
)
def test_times_that_are_not_slots_are_400_and_change_nothing(tenant, make_property, start, code):
    prop = make_property(min_notice_minutes=24 * 60, horizon_days=10)
    when = {
        "yesterday": slot_at(prop, days=-1),
        "soon": (timezone.now() + timedelta(hours=1)).isoformat(),
        "far": slot_at(prop, days=20),
        "night": slot_at(prop, days=3, hour=22),
        "between": slot_at(prop, days=3, hour=10, minute=10),
    }[start]
    response = request_visit(tenant, prop, when)
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == code
    assert (
        not Visit.objects.exists()
        and not OutboxEvent.objects.filter(aggregate_type="visit").exists()
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2027-03-14T10:00:00"}, "start"),  # no offset: ambiguous
        ({"start": "not a time"}, "start"),
        ({"start": "2027-03-14T25:00:00Z"}, "start"),
        ({"start": 12}, "start"),
        ({"property_id": "nope"}, "property_id"),
        ({"start": "0001-01-01T00:00:00+05:00"}, "start"),
    ],
)
def test_malformed_requests_are_400_naming_the_field(tenant, prop, body, field):
    payload = {"property_id": str(prop.id), "start": slot_at(prop), **body}
    response = tenant.post("/api/visits/requests/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["details"]
    assert not Visit.objects.exists()


def test_who_may_request(landlord, anonymous, tenant, prop):
    start = slot_at(prop)
    assert request_visit(landlord, prop, start).status_code == 403  # landlords do not visit
    assert request_visit(anonymous, prop, start).status_code == 401
    unknown = request_visit(tenant, uuid.uuid4(), start)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "property_not_found"
    draft = property_snapshot(owner_id=landlord.user_id, status="draft")
    apply(draft, 1)
    response = request_visit(tenant, draft["id"], start)
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_bookable"
    assert not Visit.objects.exists()


def test_tenants_see_their_visits_landlords_those_of_their_properties(
    tenant, other_tenant, landlord, prop
):
    mine = request_visit(tenant, prop, slot_at(prop, hour=9)).json()["id"]
    theirs = request_visit(other_tenant, prop, slot_at(prop, hour=10)).json()["id"]
    assert [v["id"] for v in tenant.get("/api/visits/requests/").json()["results"]] == [mine]
    assert [v["id"] for v in landlord.get("/api/visits/requests/").json()["results"]] == [
        mine, theirs,
    ]  # fmt: skip
    assert tenant.get(f"/api/visits/requests/{theirs}/").status_code == 404
    stranger = landlord_tenant()
    for action in ("cancel", "reschedule"):
        response = stranger.post(f"/api/visits/requests/{mine}/{action}/",
                                 {"reason": "x", "start": slot_at(prop, hour=11)}, format="json")  # fmt: skip
        assert response.status_code == 404, action
    assert landlord.get("/api/visits/requests/", {"status": "nope"}).status_code == 400
    assert landlord.get("/api/visits/requests/", {"status": "PENDING"}).json()["count"] == 2


def test_viewing_hours_are_the_landlords(landlord, tenant, prop):
    path = f"/api/visits/properties/{prop.id}/availability/"
    body = landlord.get(path).json()
    assert body["time_zone"] == "Asia/Kolkata" and len(body["weekly"]) == 7
    assert tenant.get(path).status_code == 404
    assert tenant.put(path, {"weekly": []}, format="json").status_code == 404
    stranger = landlord.__class__(user_id="555", role="landlord")
    assert stranger.get(path).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {
            "weekly": [
                {"weekday": 1, "start": "10:00", "end": "12:00"},
                {"weekday": 1, "start": "11:00", "end": "13:00"},
            ]
        },
        {"weekly": [{"weekday": 8, "start": "10:00", "end": "12:00"}]},
        {"weekly": [{"weekday": 1, "start": "12:00", "end": "10:00"}]},
        {"weekly": [{"weekday": 1, "start": "24:00", "end": "25:00"}]},
        {"exceptions": [{"date": "2027-02-30", "closed": True}]},
        {"exceptions": [{"date": "2027-03-01", "closed": True, "start": "10:00", "end": "11:00"}]},
        {"exceptions": [{"date": "2027-03-01", "start": "10:00"}]},
        {"exceptions": [{"date": "2027-03-01", "start": "09:00", "end": "11:00"}]},  # weekly too
        {"visit_minutes": 0},
        {"horizon_days": 5000},
        {"daily_cap": 0},
    ],
)
def test_bad_viewing_hours_are_400_and_change_nothing(landlord, prop, change):
    from tests.conftest import hours

    path = f"/api/visits/properties/{prop.id}/availability/"
    before = landlord.get(path).json()
    response = landlord.put(path, hours(**change), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "invalid"
    assert landlord.get(path).json() == before


def test_an_extra_day_and_a_closed_day(tenant, landlord, prop):
    from tests.conftest import hours

    day = slot_at(prop, days=4)[:10]
    path = f"/api/visits/properties/{prop.id}/availability/"
    response = landlord.put(path, hours(exceptions=[
        {"date": day, "closed": True},
        {"date": day, "start": "21:00", "end": "22:00", "capacity": 3},
    ]), format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    slots = tenant.get(f"/api/visits/properties/{prop.id}/slots/",
                       {"from": day, "to": day}).json()["slots"]  # fmt: skip
    assert [(s["local_start"][11:16], s["kind"], s["remaining"]) for s in slots] == [
        ("21:00", "open_house", 3), ("21:30", "open_house", 3),
    ]  # fmt: skip
