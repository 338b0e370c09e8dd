"""Payments are checked, not trusted; refunds are bounded: a correctly signed event for
the wrong session, amount or currency changes nothing and is flagged for a person; a
refund retries a bounded number of times, one attempt at a time, then is flagged too."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from bookings import payments, services, simulator
from bookings.models import Booking, PaymentIssue, RefundStatus
from django.utils import timezone

from rentezy_common.testing.clients import GatewayClient
from tests.conftest import book, booking_events, pay, post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]


def admin() -> GatewayClient:
    return GatewayClient(user_id="1", role="admin")


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"amount_total": 100}, "amount_mismatch"),  # 1.00 paid for a 36,000.00 booking
        ({"amount_total": None}, "amount_mismatch"),
        ({"currency": "usd"}, "currency_mismatch"),
        ({"id": "cs_test_someone_elses_session"}, "session_mismatch"),
    ],
    ids=["short-amount", "no-amount", "currency", "session"],
)
def test_a_payment_that_does_not_match_changes_nothing_and_is_flagged(tenant, room, change, kind):
    booking = Booking.objects.get(pk=book(tenant, room.id).json()["id"])
    event = simulator.checkout_event(booking, "paid")
    event["data"]["object"].update(change)
    response = post_webhook(event)
    assert response.status_code == 200 and response.json()["result"] == "flagged"

    booking.refresh_from_db()
    assert (booking.status, booking.amount_paid) == ("PENDING", 0)
    assert [e.event_type for e in booking_events(booking.id)] == ["booking.held"]
    issue = PaymentIssue.objects.get(booking=booking)
    assert issue.kind == kind and issue.stripe_event_id == event["id"]
    assert issue.expected["amount_minor"] == 3_600_000
    # Stripe retrying the same event does not flag it twice
    assert post_webhook(event).json()["result"] == "duplicate"
    assert PaymentIssue.objects.filter(booking=booking).count() == 1

    # an admin reads the open issues and resolves this one
    listed = admin().get("/api/bookings/payment-issues/", {"resolved": "false"})
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()["results"]] == [str(issue.id)]
    assert listed.json()["results"][0]["received"]["session_id"] == event["data"]["object"]["id"]
    resolved = admin().post(
        f"/api/bookings/payment-issues/{issue.id}/resolve/",
        {"resolution": "Refunded by hand in the Stripe dashboard."},
        format="json",
    )
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == "1"
    assert admin().get("/api/bookings/payment-issues/", {"resolved": "false"}).json()["count"] == 0


def test_only_admins_read_payment_issues(tenant, landlord):
    assert tenant.get("/api/bookings/payment-issues/").status_code == 403
    assert landlord.get("/api/bookings/payment-issues/").status_code == 403


def test_the_matching_payment_still_confirms(tenant, room):
    booking = book(tenant, room.id).json()["id"]
    assert pay(booking).json()["result"] == "confirmed"
    assert not PaymentIssue.objects.exists()


def test_an_expiry_of_another_session_does_not_end_the_hold(tenant, room):
    booking = Booking.objects.get(pk=book(tenant, room.id).json()["id"])
    event = simulator.checkout_event(booking, "expired")
    event["data"]["object"]["id"] = "cs_test_other"
    assert post_webhook(event).json()["result"] == "ignored"
    booking.refresh_from_db()
    assert booking.status == "PENDING"


@pytest.mark.parametrize(
    "body",
    [b"[1, 2, 3]", b'"just a string"', b"[" * 5000 + b"]" * 5000, b'{"type": "x"}', b"\xff\xfe"],
    ids=["list", "string", "deep", "no-id", "not-utf8"],
)
def test_a_signed_body_that_is_not_an_event_is_400(body):
    header = simulator.stripe_signature(body, simulator.settings.STRIPE_WEBHOOK_SECRET)
    response = GatewayClient().post(
        "/api/bookings/stripe/webhook/", data=body, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid_event", "invalid_signature")


def test_the_webhook_answers_only_post():
    response = GatewayClient().get("/api/bookings/stripe/webhook/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


# -- refunds -------------------------------------------------------------------------------


def cancelled_with_refund(tenant, landlord, room) -> Booking:
    booking = book(tenant, room.id).json()["id"]
    pay(booking)
    response = landlord.post(f"/api/bookings/{booking}/cancel/", {}, format="json")
    assert response.status_code == 200, response.json()
    row = Booking.objects.get(pk=booking)
    assert row.refund_status == RefundStatus.PENDING
    return row


@pytest.fixture
def stripe_down(settings):
    """Call it to make Stripe unreachable (nothing listens on port 1)."""

    def down() -> None:
        settings.STRIPE_API_BASE = "http://127.0.0.1:1"
        settings.STRIPE_MAX_NETWORK_RETRIES = 0
        payments.client.cache_clear()

    yield down
    payments.client.cache_clear()


def test_a_refund_stripe_cannot_be_reached_for_is_retried_with_backoff_then_flagged(
    tenant, landlord, room, stripe_down, settings
):
    settings.BOOKING_REFUND_MAX_ATTEMPTS = 3
    booking = cancelled_with_refund(tenant, landlord, room)
    stripe_down()
    delays = []
    for attempt in (1, 2):
        assert services.refund_attempt(booking_id=booking.id) == "retry_scheduled"
        booking.refresh_from_db()
        assert booking.refund_attempts == attempt
        delays.append((booking.refund_next_attempt_at - timezone.now()).total_seconds())
        # not due yet: a second task for the same refund does nothing
        assert services.refund_attempt(booking_id=booking.id) == "not_due"
        Booking.objects.filter(pk=booking.pk).update(refund_next_attempt_at=timezone.now())
    assert 25 < delays[0] <= 30 and 55 < delays[1] <= 60  # 30 s, then doubled

    assert services.refund_attempt(booking_id=booking.id) == "failed"
    booking.refresh_from_db()
    assert (booking.refund_status, booking.refund_attempts) == ("failed", 3)
    issue = PaymentIssue.objects.get(booking=booking)
    assert issue.kind == "refund_failed" and "3 attempts" in issue.message
    # nothing more is attempted or queued
    assert services.refund_attempt(booking_id=booking.id) == "nothing_to_do"
    Booking.objects.filter(pk=booking.pk).update(refund_queued_at=None)
    assert services.refunds_queue_due() == []


def test_a_refund_stripe_refuses_is_not_retried_and_is_flagged(tenant, landlord, room, settings):
    booking = cancelled_with_refund(tenant, landlord, room)
    settings.STRIPE_SECRET_KEY = "not-a-stripe-key"  # stripe-mock answers 401
    payments.client.cache_clear()
    try:
        assert services.refund_attempt(booking_id=booking.id) == "failed"
    finally:
        payments.client.cache_clear()
    booking.refresh_from_db()
    assert (booking.refund_status, booking.refund_attempts) == ("failed", 1)
    assert "refused" in PaymentIssue.objects.get(booking=booking).message


def test_the_sweeper_queues_each_due_refund_once(tenant, landlord, room, settings):
    booking = cancelled_with_refund(tenant, landlord, room)
    # queued when it became owed: not again until BOOKING_REFUND_REQUEUE_SECONDS pass
    assert services.refunds_queue_due() == []
    Booking.objects.filter(pk=booking.pk).update(
        refund_queued_at=timezone.now()
        - timedelta(seconds=settings.BOOKING_REFUND_REQUEUE_SECONDS + 1)
    )
    assert services.refunds_queue_due() == [booking.id]
    assert services.refunds_queue_due() == []  # claimed by the first sweep
    # a refund waiting for its backoff is not queued either
    Booking.objects.filter(pk=booking.pk).update(
        refund_queued_at=None, refund_next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert services.refunds_queue_due() == []


def test_a_successful_refund_is_made_once(tenant, landlord, room):
    booking = cancelled_with_refund(tenant, landlord, room)
    assert services.refund_attempt(booking_id=booking.id) == "refunded"
    assert services.refund_attempt(booking_id=booking.id) == "nothing_to_do"
    booking.refresh_from_db()
    assert booking.refund_status == "succeeded" and booking.refund_id.startswith("re_")
    assert json.loads(json.dumps(booking.refund_attempts)) == 1
