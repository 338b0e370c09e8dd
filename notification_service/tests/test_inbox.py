"""The inbox: events become notifications for the right people, once; cursor pages,
the unread count, read, read all, archive; somebody else's notification is a 404."""

from __future__ import annotations

import uuid

import pytest
from notifications import handlers
from notifications.models import Delivery, Inbox, Notification

from tests.conftest import apply, as_client, booking_event, booking_payload, envelope

pytestmark = pytest.mark.django_db


def confirm(people, **kwargs):
    tenant, landlord, property_id = people
    payload = booking_payload(tenant["id"], landlord["id"], property_id, **kwargs)
    event = booking_event(payload, version=2)
    apply(handlers.on_activity_event, event)
    return payload, event


def test_booking_confirmed_reaches_tenant_and_landlord(people):
    tenant, landlord, _ = people
    confirm(people)
    mine = as_client(tenant).get("/api/notifications/").json()
    theirs = as_client(landlord).get("/api/notifications/").json()
    assert [n["kind"] for n in mine["results"]] == ["booking.confirmed.tenant", "user.welcome"]
    assert theirs["results"][0]["kind"] == "booking.confirmed.landlord"
    assert "Sunny 2BHK near the park" in mine["results"][0]["title"]
    assert "Asha Rao" in theirs["results"][0]["body"]  # the tenant's name, from user-events
    assert mine["unread"] == 2 and theirs["unread"] == 2
    emails = Delivery.objects.filter(notification__event_id__isnull=False, channel="email")
    assert emails.filter(notification__kind__startswith="booking.confirmed").count() == 2


def test_the_same_event_twice_is_one_notification(people):
    tenant, _, _ = people
    _, event = confirm(people)
    apply(handlers.on_activity_event, event)  # redelivered (past the consumer's ledger)
    assert Notification.objects.filter(event_id=event.id).count() == 2  # tenant + landlord
    assert Delivery.objects.filter(notification__event_id=event.id, channel="email").count() == 2
    assert Inbox.objects.get(pk=tenant["id"]).unread == 2


def test_room_availability_tells_nobody(people):
    apply(handlers.on_activity_event, envelope("inventory.changed", "room",
          {"room_id": str(uuid.uuid4()), "property_id": str(uuid.uuid4()), "total_units": 2,
           "available_units": 1, "bookable": True}, aggregate_id=str(uuid.uuid4())))  # fmt: skip
    assert not Notification.objects.filter(kind__startswith="inventory").exists()


def test_cursor_pages_and_unread_count(people):
    tenant, _, _ = people
    for _ in range(5):
        confirm(people)
    client = as_client(tenant)
    seen, cursor = [], None
    while True:
        page = client.get("/api/notifications/", {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()  # fmt: skip
        seen += [n["id"] for n in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6  # five bookings and the welcome
    assert client.get("/api/notifications/unread-count/").json() == {"unread": 6}
    bad = client.get("/api/notifications/", {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_parameter"
    bad = client.get("/api/notifications/", {"limit": 1000})
    assert bad.status_code == 400


def test_read_read_all_and_archive(people):
    tenant, _, _ = people
    confirm(people)
    confirm(people)
    client = as_client(tenant)
    first, second, third = client.get("/api/notifications/").json()["results"]
    read = client.post(f"/api/notifications/{first['id']}/read/")
    assert read.status_code == 200 and read.json()["read"] is True
    client.post(f"/api/notifications/{first['id']}/read/")  # twice: counted once
    assert client.get("/api/notifications/unread-count/").json() == {"unread": 2}
    archived = client.post(f"/api/notifications/{second['id']}/archive/")
    assert archived.json()["archived"] is True
    assert client.get("/api/notifications/unread-count/").json() == {"unread": 1}
    listed = [n["id"] for n in client.get("/api/notifications/").json()["results"]]
    assert second["id"] not in listed
    unread_only = client.get("/api/notifications/", {"unread": "true"}).json()["results"]
    assert [n["id"] for n in unread_only] == [third["id"]]
    done = client.post("/api/notifications/read-all/").json()
    assert done == {"updated": 1, "unread": 0}


def test_foreign_and_unknown_notifications_are_404(people):
    tenant, landlord, _ = people
    confirm(people)
    theirs = as_client(landlord).get("/api/notifications/").json()["results"][0]["id"]
    for path in (f"/api/notifications/{theirs}/read/", f"/api/notifications/{theirs}/archive/",
                 f"/api/notifications/{uuid.uuid4()}/read/"):  # fmt: skip
        response = as_client(tenant).post(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "notification_not_found"
    assert as_client(landlord).get("/api/notifications/unread-count/").json() == {"unread": 2}


def test_anonymous_gets_401(client):
    from rentezy_common.testing.clients import GatewayClient

    assert GatewayClient().get("/api/notifications/").status_code == 401


def test_malformed_events_are_rejected(people):
    from rentezy_common.events.consumer import RejectedEvent

    with pytest.raises(RejectedEvent):
        handlers.on_activity_event(envelope("booking.confirmed", "booking", {"id": "x"}))
    with pytest.raises(RejectedEvent):
        handlers.on_activity_event(
            envelope("booking.confirmed", "booking", ["not", "an", "object"], aggregate_id="x")
        )
