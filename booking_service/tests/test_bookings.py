"""The booking API in-process: validation, holds, idempotency, reading, cancelling.

Real PostgreSQL, Redis (the expiry tasks are queued there) and stripe-mock (every hold
opens a real Checkout Session through the stripe library)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from bookings.models import Booking, Room
from django.db import connection

from rentezy_common.testing.clients import GatewayClient
from tests.conftest import (
    book,
    booking_events,
    inventory_events,
    move_in,
    pay,
)

# Nobody runs the expiry tasks these tests queue: the queue is emptied after each.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]


def test_tenant_holds_units_and_gets_a_checkout_url(tenant, room, settings):
    settings.BOOKING_DEV_CHECKOUT_URL = ""  # Stripe's page (the dev page: test_web_app.py)
    response = book(tenant, room.id, quantity=2)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "PENDING"
    assert body["checkout_url"].startswith("https://checkout.stripe.com/")
    # Amount on the server: price * quantity + deposit * quantity.
    assert (body["monthly_amount"], body["deposit_amount"], body["amount"]) == (
        "24000.00", "48000.00", "72000.00",
    )  # fmt: skip
    room.refresh_from_db()
    assert room.available_units == 3
    booking = Booking.objects.get(pk=body["id"])
    assert booking.checkout_session_id.startswith("cs_")
    assert (booking.expires_at - booking.created_at).total_seconds() == pytest.approx(600, abs=1)
    [held] = booking_events(booking.id)
    assert held.event_type == "booking.held" and held.payload["amount"] == "72000.00"
    assert [e.payload["available_units"] for e in inventory_events(room.id)] == [5, 3]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "two"}, "quantity"),
        ({"quantity": 51}, "quantity"),
        ({"move_in_date": "2020-01-01"}, "move_in_date"),
        ({"move_in_date": "not a date"}, "move_in_date"),
        ({"room_id": "nope"}, "room_id"),
    ],
)
def test_invalid_requests_are_400_naming_the_field(tenant, room, payload, field):
    body = {"room_id": str(room.id), "quantity": 1, "move_in_date": move_in(), **payload}
    response = tenant.post("/api/bookings/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    room.refresh_from_db()
    assert room.available_units == 5 and not Booking.objects.exists()


def test_only_tenants_book(landlord, anonymous, room):
    assert book(landlord, room.id).status_code == 403
    assert book(anonymous, room.id).status_code == 401


def test_unknown_room_is_404(tenant):
    import uuid

    response = book(tenant, uuid.uuid4())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "room_not_found"


def test_sold_out_is_409_and_changes_nothing(tenant, make_room):
    room = make_room(2)
    assert book(tenant, room.id, 2).status_code == 201
    response = book(tenant, room.id, 1)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "sold_out"
    assert Booking.objects.count() == 1


def test_idempotency_key_replay_returns_the_same_booking(tenant, room):
    first = book(tenant, room.id, 2, key="order-1")
    again = book(tenant, room.id, 2, key="order-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["checkout_url"] == first.json()["checkout_url"]
    room.refresh_from_db()
    assert room.available_units == 3 and Booking.objects.count() == 1
    other_body = book(tenant, room.id, 1, key="order-1")
    assert other_body.status_code == 422
    assert other_body.json()["error"]["code"] == "idempotency_key_reused"
    # Keys belong to a tenant: another tenant's same key is another booking.
    other = GatewayClient(user_id="777000111", role="tenant")
    assert book(other, room.id, 2, key="order-1").json()["id"] != first.json()["id"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_make_one_booking(tenant, room):
    barrier = threading.Barrier(8)
    answers = []

    def attempt():
        client = GatewayClient(user_id=tenant.user_id, role="tenant")
        barrier.wait()
        answers.append(book(client, room.id, 1, key="same-key"))
        connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["id"] for a in answers}) == 1
    room.refresh_from_db()
    assert room.available_units == 4 and Booking.objects.count() == 1


def test_bad_idempotency_key_is_400(tenant, room):
    response = book(tenant, room.id, key="x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["details"]


def test_tenants_see_their_bookings_landlords_those_of_their_properties(
    tenant, other_tenant, landlord, room
):
    mine = book(tenant, room.id).json()["id"]
    theirs = book(other_tenant, room.id).json()["id"]
    assert [b["id"] for b in tenant.get("/api/bookings/").json()["results"]] == [mine]
    assert {b["id"] for b in landlord.get("/api/bookings/").json()["results"]} == {mine, theirs}
    stranger = GatewayClient(user_id="123456", role="landlord")
    assert stranger.get("/api/bookings/").json()["results"] == []
    assert tenant.get(f"/api/bookings/{mine}/").status_code == 200
    assert tenant.get(f"/api/bookings/{theirs}/").status_code == 404
    assert stranger.get(f"/api/bookings/{mine}/").status_code == 404
    filtered = landlord.get("/api/bookings/", {"status": "CONFIRMED"}).json()
    assert filtered["results"] == []
    assert landlord.get("/api/bookings/", {"status": "nope"}).status_code == 400
    assert landlord.get("/api/bookings/", {"room_id": "nope"}).status_code == 400
    by_room = landlord.get("/api/bookings/", {"room_id": str(room.id)}).json()
    assert by_room["count"] == 2


def test_room_availability_is_public(anonymous, tenant, room):
    booking = book(tenant, room.id, 2).json()["id"]
    pay(booking)
    book(tenant, room.id, 1)
    body = anonymous.get(f"/api/bookings/rooms/{room.id}/availability/").json()
    assert (body["total_units"], body["available_units"], body["held_units"],
            body["booked_units"], body["bookable"]) == (5, 2, 1, 2, True)  # fmt: skip


def test_tenant_cancels_a_pending_booking_and_units_come_back_at_once(tenant, room):
    booking = book(tenant, room.id, 3).json()["id"]
    response = tenant.post(f"/api/bookings/{booking}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "CANCELLED"
    assert response.json()["reason"] == "cancelled_by_tenant"
    room.refresh_from_db()
    assert room.available_units == 5
    again = tenant.post(f"/api/bookings/{booking}/cancel/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    assert [e.event_type for e in booking_events(booking)] == ["booking.held", "booking.cancelled"]


def test_a_retried_cancel_with_its_key_answers_like_the_first(tenant, room):
    booking = book(tenant, room.id, 1).json()["id"]
    pay(booking)
    path = f"/api/bookings/{booking}/cancel/"
    first = tenant.post(path, HTTP_IDEMPOTENCY_KEY="cancel-1")
    again = tenant.post(path, HTTP_IDEMPOTENCY_KEY="cancel-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["refund_status"] == "pending"
    # Cancelled and refunded once; without the key a repeat is the state machine's 409.
    assert [e.event_type for e in booking_events(booking)].count("booking.cancelled") == 1
    assert tenant.post(path).status_code == 409
    other = tenant.post(f"/api/bookings/{book(tenant, room.id, 1).json()['id']}/cancel/",
                        HTTP_IDEMPOTENCY_KEY="cancel-1")  # fmt: skip
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_tenant_cancels_a_confirmed_booking_under_the_refund_policy(tenant, room, settings):
    settings.BOOKING_FULL_REFUND_DAYS = 7
    settings.BOOKING_LATE_CANCEL_REFUND_PERCENT = 50
    early = book(tenant, room.id, 1, days=30).json()["id"]
    late = book(tenant, room.id, 1, days=3).json()["id"]
    pay(early)
    pay(late)
    body = tenant.post(f"/api/bookings/{early}/cancel/").json()
    assert (body["status"], body["amount_refunded"], body["refund_status"]) == (
        "CANCELLED", "36000.00", "pending",
    )  # fmt: skip
    body = tenant.post(f"/api/bookings/{late}/cancel/").json()
    # Deposit 24000 + half of the 12000 month.
    assert body["amount_refunded"] == "30000.00"
    room.refresh_from_db()
    assert room.available_units == 5
    event = booking_events(late)[-1]
    assert (
        event.event_type == "booking.cancelled" and event.payload["amount_refunded"] == "30000.00"
    )


def test_refund_reaches_stripe_once(tenant, room):
    from bookings import services

    booking = book(tenant, room.id, 1).json()["id"]
    pay(booking)
    tenant.post(f"/api/bookings/{booking}/cancel/")
    assert services.refund_attempt(booking_id=booking) == "refunded"
    row = Booking.objects.get(pk=booking)
    assert row.refund_status == "succeeded" and row.refund_id.startswith("re_")
    assert services.refund_attempt(booking_id=booking) == "nothing_to_do"


def test_tenant_cannot_cancel_on_or_after_move_in_but_the_landlord_can(tenant, landlord, room):
    booking = book(tenant, room.id, 2, days=0).json()["id"]
    pay(booking)
    response = tenant.post(f"/api/bookings/{booking}/cancel/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "cancellation_closed"
    body = landlord.post(f"/api/bookings/{booking}/cancel/").json()
    assert (body["status"], body["reason"], body["amount_refunded"]) == (
        "CANCELLED", "cancelled_by_landlord", "72000.00",
    )  # fmt: skip
    assert Decimal(body["amount_paid"]) == Decimal("72000.00")


def test_strangers_cannot_cancel(other_tenant, tenant, room):
    booking = book(tenant, room.id).json()["id"]
    assert other_tenant.post(f"/api/bookings/{booking}/cancel/").status_code == 404
    assert Room.objects.get(pk=room.id).available_units == 4


def test_stripe_outage_keeps_the_hold_and_a_retry_with_the_key_finishes(tenant, room, settings):
    from bookings import payments

    payments.client.cache_clear()
    stripe_mock = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    try:
        response = book(tenant, room.id, 1, key="retry-me")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "payment_provider_unavailable"
    finally:
        payments.client.cache_clear()
    settings.STRIPE_API_BASE = stripe_mock
    retry = book(tenant, room.id, 1, key="retry-me")
    payments.client.cache_clear()
    assert retry.status_code == 201 and retry.json()["checkout_url"]
    assert Booking.objects.count() == 1
