"""What the web app needs from bookings: on one machine the Checkout URL leads to its dev
payment page (the simulator plays Stripe), and a cancellation quote shows the refund the
policy gives before the tenant confirms."""

from __future__ import annotations

import pytest

from .conftest import book, pay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]


def test_checkout_url_is_the_dev_payment_page_while_the_simulator_is_on(tenant, room, settings):
    settings.BOOKING_DEV_CHECKOUT_URL = "http://127.0.0.1:8000/dev/checkout/{booking_id}"
    body = book(tenant, room.id).json()
    assert body["checkout_url"] == f"http://127.0.0.1:8000/dev/checkout/{body['id']}"


def test_without_the_simulator_it_is_stripes_page(tenant, room, settings):
    settings.BOOKING_DEV_CHECKOUT_URL = "http://127.0.0.1:8000/dev/checkout/{booking_id}"
    settings.PAYMENT_SIMULATOR_ENABLED = False  # as in production
    body = book(tenant, room.id).json()
    assert body["checkout_url"].startswith("https://checkout.stripe.com/")


def test_the_default_is_the_gateways_web_app():
    from django.conf import settings

    assert settings.BOOKING_DEV_CHECKOUT_URL == (
        settings.PUBLIC_BASE_URL + "/dev/checkout/{booking_id}"
    )


def quote(client, booking_id):
    response = client.get(f"/api/bookings/{booking_id}/cancel/")
    assert response.status_code == 200, response.json()
    return response.json()


def test_quote_of_a_pending_hold(tenant, room):
    booking = book(tenant, room.id).json()["id"]
    body = quote(tenant, booking)
    assert body["cancellable"] is True
    assert (body["refund_amount"], body["refund_policy"], body["currency"]) == (
        "0.00", "unpaid", "INR",
    )  # fmt: skip


def test_quote_follows_the_refund_policy_and_matches_the_cancellation(tenant, room, settings):
    settings.BOOKING_FULL_REFUND_DAYS = 7
    settings.BOOKING_LATE_CANCEL_REFUND_PERCENT = 50
    early = book(tenant, room.id, 1, days=30).json()["id"]
    late = book(tenant, room.id, 1, days=3).json()["id"]
    pay(early)
    pay(late)
    assert (quote(tenant, early)["refund_amount"], quote(tenant, early)["refund_policy"]) == (
        "36000.00", "full",
    )  # fmt: skip
    late_quote = quote(tenant, late)
    assert (late_quote["refund_amount"], late_quote["refund_policy"]) == ("30000.00", "partial")
    cancelled = tenant.post(f"/api/bookings/{late}/cancel/").json()
    assert cancelled["amount_refunded"] == late_quote["refund_amount"]
    after = quote(tenant, late)
    assert after["cancellable"] is False
    assert after["error"]["code"] == "illegal_transition"


def test_quote_on_move_in_day(tenant, landlord, room):
    booking = book(tenant, room.id, 1, days=0).json()["id"]
    pay(booking)
    closed = quote(tenant, booking)
    assert closed["cancellable"] is False
    assert closed["error"]["code"] == "cancellation_closed"
    landlords = quote(landlord, booking)
    assert (landlords["cancellable"], landlords["refund_amount"]) == (True, "36000.00")


def test_strangers_get_no_quote(tenant, other_tenant, room):
    booking = book(tenant, room.id).json()["id"]
    assert other_tenant.get(f"/api/bookings/{booking}/cancel/").status_code == 404
