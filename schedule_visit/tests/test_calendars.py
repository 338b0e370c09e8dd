"""Calendars (RFC 5545): a visit's .ics and each user's private feed, parsed back with
the `icalendar` library: a stable UID, SEQUENCE bumped on every change, STATUS:CANCELLED;
the feed is public by its secret token, which rotates and never reaches a log line."""

from __future__ import annotations

import json
import logging

import pytest
from icalendar import Calendar

from rentezy_common.logs import JsonFormatter
from tests.conftest import request_visit, slot_at

pytestmark = pytest.mark.django_db


def events_of(body: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    return {
        str(event["UID"]): {
            "sequence": int(event["SEQUENCE"]),
            "status": str(event["STATUS"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
        }
        for event in calendar.walk("VEVENT")
    }


def ics(client, visit_id: str):
    response = client.get(f"/api/visits/requests/{visit_id}/visit.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return events_of(response.content)


def feed_url(client) -> str:
    response = client.post("/api/visits/calendar-feed/")
    assert response.status_code == 200, response.json()
    url = response.json()["url"]
    assert url.endswith(".ics") and response.json()["token"] in url
    return url[url.index("/api/") :]


def test_visit_ics_follows_the_visit(tenant, landlord, prop):
    visit = request_visit(tenant, prop, slot_at(prop, hour=10)).json()
    [(uid, first)] = ics(tenant, visit["id"]).items()
    assert uid == f"visit-{visit['id']}@visits.rentezy"
    assert (first["sequence"], first["status"]) == (0, "TENTATIVE")
    assert first["start"].isoformat().replace("+00:00", "Z") == visit["start"]
    assert first["summary"] == "Visit: Sunny flat near the park"

    landlord.post(f"/api/visits/requests/{visit['id']}/confirm/")
    assert ics(landlord, visit["id"])[uid]["status"] == "CONFIRMED"

    moved = tenant.post(f"/api/visits/requests/{visit['id']}/reschedule/",
                        {"start": slot_at(prop, days=3, hour=14)}, format="json").json()  # fmt: skip
    after_move = ics(tenant, visit["id"])[uid]  # the same UID: the calendar moves the event
    assert after_move["sequence"] == 2
    assert after_move["start"].isoformat().replace("+00:00", "Z") == moved["start"]

    tenant.post(f"/api/visits/requests/{visit['id']}/cancel/", {"reason": "Sorry"}, format="json")
    cancelled = ics(landlord, visit["id"])[uid]
    assert (cancelled["sequence"], cancelled["status"]) == (3, "CANCELLED")


def test_another_users_ics_is_404_in_json(tenant, other_tenant, prop):
    visit = request_visit(tenant, prop, slot_at(prop)).json()
    response = other_tenant.get(
        f"/api/visits/requests/{visit['id']}/visit.ics", HTTP_ACCEPT="text/calendar"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "visit_not_found"


def test_the_feed_lists_the_users_visits_and_shows_changes(
    tenant, other_tenant, landlord, anonymous, prop
):
    tenant_feed, landlord_feed = feed_url(tenant), feed_url(landlord)
    mine = request_visit(tenant, prop, slot_at(prop, hour=10)).json()
    theirs = request_visit(other_tenant, prop, slot_at(prop, hour=11)).json()
    uid = f"visit-{mine['id']}@visits.rentezy"

    seen = events_of(anonymous.get(tenant_feed).content)  # no login: the token is the key
    assert list(seen) == [uid] and seen[uid]["status"] == "TENTATIVE"
    assert len(events_of(anonymous.get(landlord_feed).content)) == 2

    landlord.post(f"/api/visits/requests/{mine['id']}/confirm/")
    tenant.post(f"/api/visits/requests/{mine['id']}/reschedule/",
                {"start": slot_at(prop, hour=15)}, format="json")  # fmt: skip
    landlord.post(f"/api/visits/requests/{theirs['id']}/cancel/", {"reason": "Let out"},
                  format="json")  # fmt: skip
    seen = events_of(anonymous.get(tenant_feed).content)
    assert (seen[uid]["sequence"], seen[uid]["status"]) == (2, "TENTATIVE")  # moved: pending
    landlord_view = events_of(anonymous.get(landlord_feed).content)
    assert landlord_view[f"visit-{theirs['id']}@visits.rentezy"]["status"] == "CANCELLED"


def test_rotating_the_token_retires_the_old_url(tenant, anonymous):
    old = feed_url(tenant)
    assert anonymous.get(old).status_code == 200
    new = feed_url(tenant)
    assert new != old and anonymous.get(new).status_code == 200
    gone = anonymous.get(old)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "feed_not_found"
    assert anonymous.post("/api/visits/calendar-feed/").status_code == 401


def test_the_feed_token_never_reaches_the_access_log(tenant, anonymous, caplog):
    path = feed_url(tenant)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    with caplog.at_level(logging.INFO, logger="rentezy.access"):
        assert anonymous.get(path).status_code == 200
        assert anonymous.get(path + "x").status_code == 404  # a wrong token: not logged either
    lines = [JsonFormatter(service="visits").format(r) for r in caplog.records]
    access = [json.loads(line) for line in lines if '"rentezy.access"' in line]
    feeds = [a["path"] for a in access if a["path"].startswith("/api/visits/feeds/")]
    assert feeds == ["/api/visits/feeds/[redacted]"] * 2
    assert not any(token in line for line in lines)
