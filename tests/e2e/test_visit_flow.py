"""A visit through the gateway, with real tokens: a landlord's published listing reaches
schedule_visit through Kafka (property-events, with its time zone), the landlord sets
viewing hours, anyone sees the free slots without logging in, a tenant books one and the
landlord confirms it, the .ics downloads, the private calendar feed works without a login
(its token masked in the gateway's access log), and unpublishing the listing cancels the
visit, which the feed then shows. Between them: property_service's relay, schedule_visit's
properties consumer and web, each a real process."""

from __future__ import annotations

import uuid

import httpx
from icalendar import Calendar
from test_booking_flow import wait_until

from rentezy_common.testing import users
from rentezy_common.testing.users import listing_payload


def ics_events(body: bytes) -> dict[str, tuple[int, str]]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): (int(e["SEQUENCE"]), str(e["STATUS"])) for e in calendar.walk("VEVENT")}


def test_a_tenant_books_a_visit_and_keeps_it_in_a_calendar(api, user, platform):
    landlord, _ = user("landlord")
    tenant, tenant_user = user("tenant")
    word = "zv" + uuid.uuid4().hex[:6]
    pid, _ = users.publish_listing(api, landlord, listing_payload(word), units=1)

    hours_path = f"/api/visits/properties/{pid}/availability/"
    wait_until(
        lambda: api.get(hours_path, headers=landlord).status_code == 200,
        "the property in schedule_visit through property-events",
    )
    hours = api.put(hours_path, headers=landlord, json={
        "visit_minutes": 30, "buffer_after_minutes": 10, "min_notice_minutes": 60,
        "horizon_days": 30, "auto_confirm": False,
        "weekly": [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(1, 8)],
    })  # fmt: skip
    assert hours.status_code == 200, hours.text
    assert hours.json()["time_zone"] == "Asia/Kolkata"  # from the listing's location

    # Public at the gateway: no token.
    anonymous = httpx.Client(base_url=str(api.base_url), timeout=30,
                             headers={"X-Forwarded-For": users.client_ip()})  # fmt: skip
    slots = anonymous.get(f"/api/visits/properties/{pid}/slots/")
    assert slots.status_code == 200, slots.text
    free = [s for s in slots.json()["slots"] if s["remaining"] > 0]
    assert free and free[0]["local_start"].endswith("+05:30")
    slot = free[len(free) // 2]

    key = str(uuid.uuid4())
    body = {"property_id": pid, "start": slot["local_start"]}
    requested = api.post("/api/visits/requests/", json=body,
                         headers={**tenant, "Idempotency-Key": key})  # fmt: skip
    assert requested.status_code == 201, requested.text
    visit = requested.json()
    assert visit["status"] == "PENDING" and visit["tenant_id"] == str(tenant_user["id"])
    replay = api.post("/api/visits/requests/", json=body,
                      headers={**tenant, "Idempotency-Key": key})  # fmt: skip
    assert replay.json()["id"] == visit["id"] and replay.headers["Idempotent-Replayed"] == "true"
    other, _ = user("tenant")
    taken = api.post("/api/visits/requests/", json=body, headers=other)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slot_taken"

    confirmed = api.post(f"/api/visits/requests/{visit['id']}/confirm/", headers=landlord)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "CONFIRMED"

    download = api.get(f"/api/visits/requests/{visit['id']}/visit.ics", headers=tenant)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/calendar")
    uid = f"visit-{visit['id']}@visits.rentezy"
    assert ics_events(download.content) == {uid: (1, "CONFIRMED")}

    feed = api.post("/api/visits/calendar-feed/", headers=tenant)
    assert feed.status_code == 200, feed.text
    token = feed.json()["token"]
    feed_path = f"/api/visits/feeds/{token}.ics"
    assert feed.json()["url"].endswith(feed_path)
    first = anonymous.get(feed_path)  # a calendar app: no login
    assert first.status_code == 200, first.text
    assert ics_events(first.content) == {uid: (1, "CONFIRMED")}

    # Unpublished: the visit is cancelled (property-events -> schedule_visit), the feed says so.
    assert api.post(f"/api/properties/{pid}/unpublish/", headers=landlord).status_code == 200
    wait_until(
        lambda: ics_events(anonymous.get(feed_path).content)[uid] == (2, "CANCELLED"),
        "the cancellation in the calendar feed",
    )
    cancelled = api.get(f"/api/visits/requests/{visit['id']}/", headers=tenant).json()
    assert (cancelled["status"], cancelled["reason"]) == ("CANCELLED", "property_unpublished")
    anonymous.close()

    # The feed's token never reached the gateway's access log, nor the service's.
    for name in ("gateway", "visits"):
        log = platform[name].log_path.read_text()
        assert "/api/visits/feeds/[redacted]" in log, name
        assert token not in log, name
