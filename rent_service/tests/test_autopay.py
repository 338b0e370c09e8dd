"""Autopay: a card saved through a SetupIntent, charged off session on the due date by
the task the cycle queues; a failure retried on the schedule until it succeeds; a hard
decline never retried; after the last attempt the tenant and landlord are told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from leases import services, simulator
from leases.models import AutopayAttempt, Lease, Payment

from tests.conftest import invoices, make_lease, post_webhook, rent_events, run, save_card

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]


@pytest.fixture
def lease(landlord, tenant) -> Lease:
    from datetime import date

    start = (date.today().replace(day=1) + timedelta(days=75)).replace(day=1)
    lease = make_lease(landlord, tenant.user_id, start_date=start, due_day=1)
    save_card(tenant, lease)
    lease.refresh_from_db()
    return lease


def queued_attempts(lease) -> list[AutopayAttempt]:
    return list(AutopayAttempt.objects.filter(lease=lease, status="queued").order_by("number"))


def fail_next(tenant, lease, code: str) -> None:
    response = tenant.post(f"/api/rent/leases/{lease.id}/simulate-card/",
                           {"action": "fail_next_charge", "decline_code": code}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()


def charge(attempt, code: str | None = None) -> str:
    """The task: one attempt. The simulator's signed answer (stripe-mock sends none) is
    delivered here; the worker's task would POST it to the gateway."""
    result = services.autopay_attempt_run(attempt_id=attempt.id)
    if result == "simulated":
        payment = Payment.objects.get(attempt=attempt)
        answer = post_webhook(simulator.charge_event(payment, code or ""))
        return answer.json()["result"]
    return result


def test_the_card_is_saved_by_stripes_webhook(tenant, lease):
    body = tenant.get(f"/api/rent/leases/{lease.id}/").json()
    assert body["card_saved"] and body["autopay"]
    assert lease.payment_method_id == simulator.TEST_CARD and lease.stripe_customer_id
    assert "card.saved" in [e.event_type for e in rent_events(lease.id)]


def test_autopay_pays_on_the_due_date(tenant, lease):
    run(lease.start_date - timedelta(days=7))
    run(lease.start_date - timedelta(days=1))
    assert queued_attempts(lease) == []  # not before the due date
    run(lease.start_date)
    [attempt] = queued_attempts(lease)
    assert charge(attempt) == "settled"  # stripe-mock answers succeeded
    assert charge(attempt) == "nothing_to_do"  # the task again: one charge
    assert invoices(lease)[0].status == "paid"
    attempt.refresh_from_db()
    assert attempt.status == "succeeded"
    run(lease.start_date)
    assert AutopayAttempt.objects.filter(lease=lease).count() == 1


def test_a_declined_card_is_retried_on_the_schedule_then_succeeds(tenant, lease, settings):
    settings.RENT_AUTOPAY_RETRY_DAYS = [1, 3, 5]
    due = lease.start_date
    run(due - timedelta(days=7))
    run(due)
    fail_next(tenant, lease, "insufficient_funds")
    [first] = queued_attempts(lease)
    assert charge(first, "insufficient_funds") == "retry_scheduled"
    retry = AutopayAttempt.objects.get(lease=lease, number=2)
    assert (retry.status, retry.scheduled_for) == ("scheduled", due + timedelta(days=1))
    assert "payment.failed" in [e.event_type for e in rent_events(lease.id)]
    run(due)  # the same day again: nothing new
    assert queued_attempts(lease) == []
    fail_next(tenant, lease, "insufficient_funds")
    run(due + timedelta(days=1))
    [second] = queued_attempts(lease)
    assert charge(second, "insufficient_funds") == "retry_scheduled"
    third = AutopayAttempt.objects.get(lease=lease, number=3)
    assert third.scheduled_for == due + timedelta(days=4)
    for offset in (2, 3):
        run(due + timedelta(days=offset))
        assert queued_attempts(lease) == []
    run(due + timedelta(days=4))
    [third] = queued_attempts(lease)
    assert charge(third) == "settled"
    assert invoices(lease)[0].status == "paid"
    assert [a.status for a in AutopayAttempt.objects.filter(lease=lease).order_by("number")] == [
        "failed", "failed", "succeeded",
    ]  # fmt: skip


def test_a_hard_decline_is_not_retried_and_everyone_is_told(tenant, lease):
    run(lease.start_date - timedelta(days=7))
    run(lease.start_date)
    fail_next(tenant, lease, simulator.HARD_DECLINE)
    [attempt] = queued_attempts(lease)
    assert charge(attempt, simulator.HARD_DECLINE) == "hard_decline"
    for offset in range(1, 12):
        run(lease.start_date + timedelta(days=offset))
    assert AutopayAttempt.objects.filter(lease=lease).count() == 1
    assert invoices(lease)[0].status == "open"
    assert "autopay.exhausted" in [e.event_type for e in rent_events(lease.id)]


def test_the_last_failed_attempt_ends_the_retries(tenant, lease, settings):
    settings.RENT_AUTOPAY_RETRY_DAYS = [1]
    run(lease.start_date - timedelta(days=7))
    run(lease.start_date)
    for offset in (0, 1):
        fail_next(tenant, lease, "insufficient_funds")
        run(lease.start_date + timedelta(days=offset))
        [attempt] = queued_attempts(lease)
        charge(attempt, "insufficient_funds")
    assert AutopayAttempt.objects.filter(lease=lease).count() == 2
    assert [e.event_type for e in rent_events(lease.id)].count("autopay.exhausted") == 1


def test_autopay_off_skips_and_needs_a_card(tenant, landlord):
    from datetime import date

    lease = make_lease(landlord, tenant.user_id, start_date=date.today())
    refused = tenant.post(f"/api/rent/leases/{lease.id}/autopay/", {"enabled": True}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_payment_method"
    assert landlord.post(f"/api/rent/leases/{lease.id}/card/").status_code == 403


def test_the_simulator_is_refused_in_production_settings(tenant, lease, settings):
    settings.PAYMENT_SIMULATOR_ENABLED = False
    response = tenant.post(f"/api/rent/leases/{lease.id}/simulate-card/",
                           {"action": "fail_next_charge"}, format="json")  # fmt: skip
    assert response.status_code == 404
    payment_url = "/api/rent/payments/00000000-0000-0000-0000-000000000000/simulate/"
    assert tenant.post(payment_url, {}, format="json").status_code == 404
