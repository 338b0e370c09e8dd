"""The Stripe webhook: signatures, once-only handling, late payment, failures, and the
race between a payment and the hold's expiry."""

from __future__ import annotations

import functools
import json
import random
import time

import pytest
from bookings import services, simulator
from bookings.models import Booking, StripeEvent

from rentezy_common.testing.concurrency import run_together
from tests.conftest import (
    book,
    booking_events,
    expire_now,
    pay,
    post_webhook,
)

# Nobody runs the expiry tasks these tests queue: the queue is emptied after each.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]


def test_payment_confirms_the_booking(tenant, room):
    booking = book(tenant, room.id, 2).json()["id"]
    response = pay(booking)
    assert response.status_code == 200 and response.json()["result"] == "confirmed"
    row = Booking.objects.get(pk=booking)
    assert (row.status, row.amount_paid, row.payment_intent_id[:3]) == (
        "CONFIRMED", row.amount, "pi_",
    )  # fmt: skip
    confirmed = booking_events(booking)[-1]
    assert confirmed.event_type == "booking.confirmed"
    assert confirmed.payload["amount_paid"] == "72000.00"
    assert confirmed.payload["previous_status"] == "PENDING"
    room.refresh_from_db()
    assert room.available_units == 3  # still taken, now sold


def test_the_same_event_delivered_twice_acts_once(tenant, room):
    booking = Booking.objects.get(pk=book(tenant, room.id).json()["id"])
    event = simulator.checkout_event(booking, "paid")
    assert post_webhook(event).json()["result"] == "confirmed"
    assert post_webhook(event).json()["result"] == "duplicate"
    assert [e.event_type for e in booking_events(booking.id)] == [
        "booking.held", "booking.confirmed",
    ]  # fmt: skip
    assert StripeEvent.objects.filter(pk=event["id"]).count() == 1


def test_handled_event_ids_are_forgotten_after_their_retention(tenant, room, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.BOOKING_STRIPE_EVENT_RETENTION_DAYS = 30
    booking = Booking.objects.get(pk=book(tenant, room.id).json()["id"])
    old, recent = (
        simulator.checkout_event(booking, "declined"),
        simulator.checkout_event(booking, "paid"),
    )
    post_webhook(old)
    post_webhook(recent)
    StripeEvent.objects.filter(pk=old["id"]).update(
        received_at=timezone.now() - timedelta(days=30, minutes=1)
    )
    StripeEvent.objects.filter(pk=recent["id"]).update(
        received_at=timezone.now() - timedelta(days=29, hours=23)
    )
    assert services.stripe_events_purge() == 1
    assert list(StripeEvent.objects.values_list("id", flat=True)) == [recent["id"]]
    # The remembered one is still a duplicate.
    assert post_webhook(recent).json()["result"] == "duplicate"


@pytest.mark.parametrize(
    "signature",
    [
        None,  # signed with another secret (below)
        "t=1,v1=deadbeef",
        "garbage",
    ],
)
def test_forged_or_stale_signature_is_400_and_changes_nothing(tenant, room, signature):
    booking = Booking.objects.get(pk=book(tenant, room.id).json()["id"])
    event = simulator.checkout_event(booking, "paid")
    if signature is None:
        response = post_webhook(event, secret="whsec_someone_else")
    else:
        response = post_webhook(event, signature=signature)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    booking.refresh_from_db()
    assert booking.status == "PENDING" and not StripeEvent.objects.exists()
    # A signature older than the tolerance is refused too (replayed capture).
    payload = json.dumps(event).encode()
    old = simulator.stripe_signature(payload, simulator.settings.STRIPE_WEBHOOK_SECRET, 1000)
    assert post_webhook(event, signature=old).status_code == 400


def test_missing_signature_and_non_events_are_400(tenant):
    from rentezy_common.testing.clients import GatewayClient

    response = GatewayClient().post(
        "/api/bookings/stripe/webhook/", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 400
    assert post_webhook({"hello": "world"}).status_code == 400


def test_events_for_other_objects_are_acknowledged_and_ignored():
    event = {"id": "evt_other", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    assert post_webhook(event).json()["result"] == "ignored"


def test_late_payment_takes_the_units_again_when_free(tenant, room):
    booking = book(tenant, room.id, 2).json()["id"]
    expire_now(booking)
    assert services.booking_expire(booking_id=booking) is True
    room.refresh_from_db()
    assert room.available_units == 5
    assert pay(booking).json()["result"] == "confirmed_late"
    row = Booking.objects.get(pk=booking)
    assert (row.status, row.reason) == ("CONFIRMED", "paid_after_expiry")
    room.refresh_from_db()
    assert room.available_units == 3
    events = booking_events(booking)
    assert [e.event_type for e in events] == [
        "booking.held", "booking.expired", "booking.confirmed",
    ]  # fmt: skip
    assert [e.version for e in events] == [1, 2, 3]
    assert [e.payload["previous_status"] for e in events] == [None, "PENDING", "EXPIRED"]


def test_late_payment_is_refunded_when_the_units_are_gone(tenant, other_tenant, make_room):
    room = make_room(2)
    late = book(tenant, room.id, 2).json()["id"]
    expire_now(late)
    services.booking_expire(booking_id=late)
    assert book(other_tenant, room.id, 1).status_code == 201  # one of the two is gone
    assert pay(late).json()["result"] == "refunded"
    row = Booking.objects.get(pk=late)
    assert (row.status, row.reason, row.amount_refunded, row.refund_status) == (
        "REFUNDED", "sold_out_after_payment", row.amount_paid, "pending",
    )  # fmt: skip
    assert row.amount_paid == row.amount
    refunded = booking_events(late)[-1]
    assert refunded.event_type == "booking.refunded"
    assert refunded.payload["reason"] == "sold_out_after_payment"
    # The refund goes to Stripe once, however often it is sent.
    assert services.refund_attempt(booking_id=late) == "refunded"
    assert services.refund_attempt(booking_id=late) == "nothing_to_do"
    room.refresh_from_db()
    assert room.available_units == 1


def test_payment_after_the_tenant_cancelled_is_refunded(tenant, room):
    booking = book(tenant, room.id).json()["id"]
    tenant.post(f"/api/bookings/{booking}/cancel/")
    assert pay(booking).json()["result"] == "refunded"
    row = Booking.objects.get(pk=booking)
    assert (row.status, row.reason) == ("REFUNDED", "paid_after_cancellation")


def test_checkout_expired_event_releases_the_hold(tenant, room):
    booking = book(tenant, room.id, 3).json()["id"]
    assert pay(booking, "expired").json()["result"] == "expired"
    row = Booking.objects.get(pk=booking)
    assert (row.status, row.reason) == ("EXPIRED", "checkout_expired")
    room.refresh_from_db()
    assert room.available_units == 5


def test_declined_card_keeps_the_hold_and_async_failure_ends_it(tenant, room):
    booking = book(tenant, room.id, 1).json()["id"]
    assert pay(booking, "declined").json()["result"] == "payment_failed"
    row = Booking.objects.get(pk=booking)
    assert (row.status, row.last_payment_error) == ("PENDING", "Your card was declined.")
    assert booking_events(booking)[-1].event_type == "booking.payment_failed"
    assert pay(booking, "failed").json()["result"] == "failed"
    row.refresh_from_db()
    assert row.status == "FAILED"
    room.refresh_from_db()
    assert room.available_units == 5


def test_unknown_booking_in_metadata_is_acknowledged(tenant, room):
    booking = Booking.objects.get(pk=book(tenant, room.id).json()["id"])
    event = simulator.checkout_event(booking, "paid")
    event["data"]["object"]["metadata"]["booking_id"] = "0b9cc0de-0000-4000-8000-000000000000"
    event["data"]["object"]["client_reference_id"] = None
    assert post_webhook(event).json()["result"] == "unknown_booking"
    booking.refresh_from_db()
    assert booking.status == "PENDING"


def race(*calls):
    """Run the calls at the same moment (own threads and connections); their results."""
    results = run_together(list(calls))
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def expire_after(booking_id, delay: float) -> bool:
    time.sleep(delay)
    return services.booking_expire(booking_id=booking_id)


def deliver(event) -> str:
    return post_webhook(event).json()["result"]


def grab(client, room_id) -> str | None:
    """Try for a while to book one unit; the booking id if it worked."""
    for _ in range(50):
        response = book(client, room_id, 1)
        if response.status_code == 201:
            return response.json()["id"]
    return None


@pytest.mark.django_db(transaction=True)
def test_payment_and_expiry_raced_many_times_end_in_exactly_one_state(tenant, make_room):
    """Each round: the hold's time is up and its payment arrives at the same moment, on
    two connections. Whichever takes the booking row first decides; the other sees its
    result. Paid bookings end CONFIRMED (directly or re-acquired after the expiry), and
    their events tell one consistent story."""
    room = make_room(3)
    outcomes = []
    for _ in range(40):
        booking = Booking.objects.get(pk=book(tenant, room.id, 3).json()["id"])
        expire_now(booking.id)
        event = simulator.checkout_event(booking, "paid")
        # The webhook's way in (HTTP stack, signature) is longer: a random head start
        # for it makes both orders happen.
        expired, result = race(
            functools.partial(expire_after, booking.id, random.uniform(0, 0.006)),
            functools.partial(deliver, event),
        )
        booking.refresh_from_db()
        types = [e.event_type for e in booking_events(booking.id)]
        assert booking.status == "CONFIRMED"
        if expired:
            assert result == "confirmed_late"
            assert types == ["booking.held", "booking.expired", "booking.confirmed"]
        else:
            assert result == "confirmed"
            assert types == ["booking.held", "booking.confirmed"]
        outcomes.append(result)
        room.refresh_from_db()
        assert room.available_units == 0
        # Free the units for the next round (landlord cancels, full refund).
        services.booking_cancel(booking_id=booking.id, actor_id=booking.owner_id, role="landlord")
    # Both orders happened at least once, or the race was not a race.
    print("race outcomes:", {o: outcomes.count(o) for o in set(outcomes)})
    assert set(outcomes) == {"confirmed", "confirmed_late"}


@pytest.mark.django_db(transaction=True)
def test_expiry_against_a_sold_out_late_payment_never_oversells(tenant, other_tenant, make_room):
    """Race a payment with an expiry while another tenant grabs the released units: the
    late payer is confirmed only if units remained, else refunded; never oversold."""
    room = make_room(1)
    for _ in range(20):
        booking = Booking.objects.get(pk=book(tenant, room.id, 1).json()["id"])
        expire_now(booking.id)
        event = simulator.checkout_event(booking, "paid")
        _, _, grabbed = race(
            functools.partial(expire_after, booking.id, 0),
            functools.partial(deliver, event),
            functools.partial(grab, other_tenant, room.id),
        )
        booking.refresh_from_db()
        room.refresh_from_db()
        assert room.available_units == 0
        assert booking.status in ("CONFIRMED", "REFUNDED")
        assert (booking.status == "CONFIRMED") != (grabbed is not None)
        for booking_id in (booking.id, grabbed):
            if booking_id:
                row = Booking.objects.get(pk=booking_id)
                if row.status in ("PENDING", "CONFIRMED"):
                    services.booking_cancel(
                        booking_id=booking_id, actor_id=row.owner_id, role="landlord"
                    )
