"""The operators' Django admin at /admin/: staff only, read-only, and its actions (cancel
and refund a booking, resolve a payment issue, replay dead letters) go through the
services."""

from __future__ import annotations

import pytest
from bookings import simulator
from bookings.models import Booking, PaymentIssue, Room
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import (
    book,
    booking_events,
    pay,
    post_webhook,
    property_envelope,
    property_snapshot,
    room_entry,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]

STAFF_PASSWORD = "0perator-passphrase-9"


def signed_in(*, superuser: bool = True) -> Client:
    if superuser:
        User.objects.create_superuser("olga", "olga@example.com", STAFF_PASSWORD)
    else:
        User.objects.create_user("vera", "vera@example.com", STAFF_PASSWORD, is_staff=True)
    browser = Client()
    name = "olga" if superuser else "vera"
    response = browser.post("/admin/login/?next=/admin/", {"username": name,
                                                          "password": STAFF_PASSWORD})  # fmt: skip
    assert response.status_code == 302, response.content[:300]
    return browser


def act(browser: Client, changelist: str, action: str, *keys) -> list[str]:
    response = browser.post(
        changelist, {"action": action, "_selected_action": [str(k) for k in keys]}, follow=True
    )
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_cancel_and_refund_goes_through_the_service(tenant, room):
    confirmed = book(tenant, room.id).json()["id"]
    pay(confirmed)
    pending = book(tenant, room.id).json()["id"]
    browser = signed_in()
    listed = browser.get("/admin/bookings/booking/")
    assert listed.status_code == 200 and confirmed.encode() in listed.content

    said = act(browser, "/admin/bookings/booking/", "cancel_and_refund", confirmed, pending)
    assert "2 cancelled." in said
    row = Booking.objects.get(pk=confirmed)
    assert (row.status, row.reason, row.refund_status) == (
        "CANCELLED", "cancelled_by_admin", "pending",
    )  # fmt: skip
    assert row.amount_refunded == row.amount_paid
    assert booking_events(confirmed)[-1].event_type == "booking.cancelled"
    assert Booking.objects.get(pk=pending).status == "CANCELLED"
    # a booking that cannot be cancelled is refused with the service's own message
    refused = act(browser, "/admin/bookings/booking/", "cancel_and_refund", confirmed)
    assert any("cannot be cancelled" in message for message in refused), refused


def test_payment_issues_are_resolved_through_the_service(tenant, room):
    booking = Booking.objects.get(pk=book(tenant, room.id).json()["id"])
    event = simulator.checkout_event(booking, "paid")
    event["data"]["object"]["amount_total"] = 100
    assert post_webhook(event).json()["result"] == "flagged"
    issue = PaymentIssue.objects.get()
    browser = signed_in()
    assert browser.get("/admin/bookings/paymentissue/").status_code == 200
    assert "1 resolved." in act(browser, "/admin/bookings/paymentissue/", "mark_resolved", issue.pk)
    issue.refresh_from_db()
    assert issue.resolved_at is not None and issue.resolved_by == "operator:olga"


def test_nothing_is_edited_in_a_form(tenant, room):
    booking = book(tenant, room.id).json()["id"]
    browser = signed_in()
    page = browser.get(f"/admin/bookings/booking/{booking}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # read-only: no save button
    assert browser.get("/admin/bookings/booking/add/").status_code == 403


def test_staff_without_permissions_see_nothing_and_the_api_needs_the_gateway():
    browser = signed_in(superuser=False)
    assert browser.get("/admin/bookings/booking/").status_code == 403
    assert Client().get("/admin/bookings/booking/").status_code == 302  # to the login page
    response = Client().get("/api/bookings/")
    assert response.status_code == 401  # /admin/ is exempt from the signature, /api/ is not


@pytest.mark.django_db(transaction=True)
def test_dead_letters_are_listed_and_replayed_from_the_admin(kafka_topic, landlord, monkeypatch):
    """A property event the inventory consumer dead-lettered waits on the page; replaying
    it applies it (the room appears) and the page then shows nothing waiting."""
    from rentezy_common.events import consumer as consumers
    from rentezy_common.events.consumer import ConsumerSpec
    from rentezy_common.testing.kafka import produce

    topic = kafka_topic("booking-admin-events")
    spec = ConsumerSpec(
        name="inventory",
        topics=[topic],
        group_id=f"{topic}.inventory",
        dead_letter_topic=kafka_topic("booking-admin-dlq"),
        handler="bookings.handlers.on_property_event",
    )
    entry = room_entry(3)
    produce(spec.dlq, [property_envelope(property_snapshot(owner_id=landlord.user_id,
                                                            rooms=[entry]), 1)])  # fmt: skip
    # This service's registry, with the consumer pointed at the test's topics.
    monkeypatch.setattr(consumers, "registered_consumers", lambda: {"inventory": spec})

    browser = signed_in()
    page = browser.get("/admin/dead-letters/")
    assert page.status_code == 200
    assert spec.dlq.encode() in page.content
    assert page.context["consumers"][0]["waiting"] == 1
    replayed = browser.post("/admin/dead-letters/", {"consumer": "inventory"}, follow=True)
    said = [str(m) for m in replayed.context["messages"]]
    assert "inventory: 1 replayed, 0 already applied, 0 failed again." in said, said
    assert Room.objects.filter(pk=entry["id"]).exists()
    assert browser.get("/admin/dead-letters/").context["consumers"][0]["waiting"] == 0
    unknown = browser.post("/admin/dead-letters/", {"consumer": "nope"}, follow=True)
    assert any("no consumer named" in str(m) for m in unknown.context["messages"])


def test_only_superusers_replay_dead_letters():
    browser = signed_in(superuser=False)
    response = browser.post("/admin/dead-letters/", {"consumer": "inventory"}, follow=True)
    assert any("Only superusers" in str(m) for m in response.context["messages"])
