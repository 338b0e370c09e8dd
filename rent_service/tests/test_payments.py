"""Paying invoices (in part, in full, more than owed), Stripe's webhook (once per event,
checked against the payment, forged ones refused), refunds to the card and as credit,
late fee waivers, receipts and the rent roll; bad input is a 4xx and changes nothing."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from leases import services, simulator
from leases.models import Payment, PaymentIssue, Refund, StripeEvent

from tests.conftest import (
    entries,
    invoices,
    make_lease,
    post_webhook,
    publish_user,
    rent_events,
    run,
    settle,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_queue")]


@pytest.fixture
def invoice(landlord, tenant):
    """An open invoice of 30,000.00 INR, due today, 5% late after 3 days."""
    lease = make_lease(landlord, tenant.user_id, start_date=date.today(),
                       due_day=min(date.today().day, 28), late_fee_kind="percent",
                       late_fee_amount="5.00", grace_days=3)  # fmt: skip
    return invoices(lease)[0]


def pay(client, invoice_id, body=None, key=None):
    return client.post(f"/api/rent/invoices/{invoice_id}/pay/", body or {}, format="json",
                       HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))  # fmt: skip


def shown(client, invoice) -> dict:
    return client.get(f"/api/rent/invoices/{invoice.id}/").json()


def test_a_partial_payment_then_the_rest(tenant, invoice):
    rent = Decimal(shown(tenant, invoice)["rent"])
    first = pay(tenant, invoice.id, {"amount": "10000.00"})
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["status"] == "pending" and body["payment_intent_id"].startswith("pi_")
    assert body["client_secret"]
    assert shown(tenant, invoice)["status"] == "open"  # nothing until Stripe says so
    assert settle(body["id"]).json()["result"] == "settled"
    after = shown(tenant, invoice)
    assert (after["status"], Decimal(after["balance"])) == ("partially_paid", rent - 10000)
    rest = pay(tenant, invoice.id)  # default: the balance
    assert Decimal(rest.json()["amount"]) == rent - 10000
    settle(rest.json()["id"])
    assert shown(tenant, invoice)["status"] == "paid"
    types = [e.event_type for e in rent_events(invoice.lease_id)]
    assert types.count("payment.succeeded") == 2 and types[-1] == "invoice.paid"


def test_paying_too_much_leaves_credit_for_the_next_invoice(tenant, invoice):
    rent = Decimal(shown(tenant, invoice)["rent"])
    payment = pay(tenant, invoice.id, {"amount": f"{rent + 5000:.2f}"}).json()
    settle(payment["id"])
    lease = tenant.get(f"/api/rent/leases/{invoice.lease_id}/").json()
    assert (lease["balance"], lease["credit"]) == ("-5000.00", "5000.00")
    assert shown(tenant, invoice)["status"] == "paid"
    run(invoice.period_end - timedelta(days=7))
    following = invoices(invoice.lease)[1]
    assert Decimal(shown(tenant, following)["paid"]) == Decimal("5000.00")
    assert tenant.get(f"/api/rent/leases/{invoice.lease_id}/").json()["credit"] == "0.00"


def test_the_idempotency_key_replays_the_payment(tenant, invoice):
    key = str(uuid.uuid4())
    first = pay(tenant, invoice.id, {"amount": "100.00"}, key=key)
    again = pay(tenant, invoice.id, {"amount": "100.00"}, key=key)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert pay(tenant, invoice.id, {"amount": "200.00"}, key=key).status_code == 422
    assert Payment.objects.filter(invoice=invoice).count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": "0"}, 400, "invalid"),
        ({"amount": "-5.00"}, 400, "invalid"),
        ({"amount": "10.001"}, 400, "invalid"),
        ({"amount": "999999999.00"}, 400, "amount_out_of_range"),
        ({"amount": "10.00", "currency": "USD"}, 400, "currency_mismatch"),
        ({"amount": "abc"}, 400, "invalid"),
    ],
)
def test_bad_payments_are_4xx_and_change_nothing(tenant, invoice, body, status, code):
    response = pay(tenant, invoice.id, body)
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_someone_elses_invoice_and_a_void_one(tenant, other_tenant, landlord, invoice):
    assert pay(other_tenant, invoice.id).status_code == 404
    assert pay(landlord, invoice.id).status_code == 403
    assert landlord.post(f"/api/rent/invoices/{invoice.id}/void/").status_code == 200
    refused = pay(tenant, invoice.id)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_payable"
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_a_duplicate_webhook_acts_once_and_a_forged_one_not_at_all(tenant, invoice):
    payment = Payment.objects.get(pk=pay(tenant, invoice.id).json()["id"])
    event = simulator.payment_event(payment, "succeeded")
    forged = post_webhook(event, secret="whsec_forged")
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "invalid_signature"
    assert post_webhook(event, signature="t=1,v1=00").status_code == 400
    assert not StripeEvent.objects.exists()
    assert shown(tenant, invoice)["status"] == "open"
    assert post_webhook(event).json()["result"] == "settled"
    assert post_webhook(event).json()["result"] == "duplicate"
    other = simulator.payment_event(payment, "succeeded")  # another event, same intent
    assert post_webhook(other).json()["result"] == "already_settled"
    assert [k for k, _, _ in entries(invoice.lease_id)].count("payment") == 1


@pytest.mark.parametrize("field", ["amount", "currency", "intent"])
def test_a_payment_that_does_not_match_changes_nothing_and_is_flagged(tenant, invoice, field):
    payment = Payment.objects.get(pk=pay(tenant, invoice.id, {"amount": "1000.00"}).json()["id"])
    event = simulator.payment_event(payment, "succeeded")
    obj = event["data"]["object"]
    if field == "amount":
        obj["amount_received"] = obj["amount"] = 1
    elif field == "currency":
        obj["currency"] = "usd"
    else:
        obj["id"] = "pi_someone_else"
    assert post_webhook(event).json()["result"] == "flagged"
    assert shown(tenant, invoice)["status"] == "open"
    assert PaymentIssue.objects.get().kind.startswith(
        {"amount": "amount", "currency": "currency", "intent": "payment"}[field]
    )


def test_refunds_as_credit_and_to_the_card(tenant, landlord, invoice):
    rent = Decimal(shown(tenant, invoice)["rent"])
    payment = pay(tenant, invoice.id, {"amount": f"{rent + 2000:.2f}"}).json()
    settle(payment["id"])
    url = f"/api/rent/payments/{payment['id']}/refund/"
    as_credit = landlord.post(url, {"amount": "1000.00", "destination": "credit"}, format="json")
    assert as_credit.status_code == 201 and as_credit.json()["status"] == "succeeded"
    lease = tenant.get(f"/api/rent/leases/{invoice.lease_id}/").json()
    assert lease["credit"] == "3000.00"
    # To the card: 5,000 back, 3,000 of it from the credit, 2,000 of goodwill.
    to_card = landlord.post(url, {"amount": "5000.00", "destination": "card"}, format="json")
    assert to_card.status_code == 201 and to_card.json()["status"] == "pending"
    assert services.refund_attempt(refund_id=to_card.json()["id"]) == "refunded"
    assert services.refund_attempt(refund_id=to_card.json()["id"]) == "nothing_to_do"
    lease = tenant.get(f"/api/rent/leases/{invoice.lease_id}/").json()
    assert (lease["balance"], lease["credit"]) == ("0.00", "0.00")  # never in debt
    assert Refund.objects.get(pk=to_card.json()["id"]).stripe_refund_id.startswith("re_")
    # Beyond what is left of the payment, by a tenant, or an admin: refused.
    assert landlord.post(url, {"amount": f"{rent:.2f}", "destination": "credit"},
                         format="json").status_code == 400  # fmt: skip
    assert tenant.post(url, {"amount": "1.00", "destination": "credit"},
                       format="json").status_code == 403  # fmt: skip
    assert "refund.issued" in [e.event_type for e in rent_events(invoice.lease_id)]


def test_late_fee_once_then_waived(tenant, landlord, invoice):
    for offset in range(0, 8):
        run(invoice.due_date + timedelta(days=offset))
    body = shown(tenant, invoice)
    assert Decimal(body["late_fee"]) == (Decimal(body["rent"]) / 20).quantize(Decimal("0.01"))
    waived = landlord.post(f"/api/rent/invoices/{invoice.id}/waive-late-fee/")
    assert waived.status_code == 200, waived.json()
    assert waived.json()["waived"] == body["late_fee"]
    assert waived.json()["balance"] == body["rent"]
    again = landlord.post(f"/api/rent/invoices/{invoice.id}/waive-late-fee/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "no_late_fee"
    run(invoice.due_date + timedelta(days=9))
    assert shown(tenant, invoice)["late_fee"] == body["late_fee"]  # not applied again


def test_the_receipt_is_a_pdf(tenant, landlord, other_tenant, invoice):
    publish_user(tenant.user_id, "Asha Rao")
    publish_user(landlord.user_id, "Vikram Iyer", role="landlord")
    payment = pay(tenant, invoice.id, {"amount": "1000.00"}).json()
    url = f"/api/rent/payments/{payment['id']}/receipt.pdf"
    assert tenant.get(url).status_code == 409  # not paid yet
    settle(payment["id"])
    response = tenant.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response) if response.streaming else response.content
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
    assert other_tenant.get(url).status_code == 404
    assert landlord.get(url).status_code == 200


def test_the_rent_roll_in_json_and_csv(tenant, landlord, invoice):
    publish_user(tenant.user_id, "Asha Rao")
    settle(pay(tenant, invoice.id, {"amount": "10000.00"}).json()["id"])
    month = invoice.period_start.strftime("%Y-%m")
    roll = landlord.get("/api/rent/roll/", {"month": month})
    assert roll.status_code == 200, roll.json()
    body = roll.json()
    [row] = body["rows"]
    assert (row["tenant_name"], row["collected"], row["status"]) == (
        "Asha Rao", "10000.00", "partially_paid",
    )  # fmt: skip
    assert body["totals"][0]["currency"] == "INR"
    csv_answer = landlord.get("/api/rent/roll/", {"month": month}, HTTP_ACCEPT="text/csv")
    assert csv_answer.status_code == 200 and csv_answer["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(csv_answer.content.decode())))
    assert lines[0][0] == "lease_id" and lines[1][3] == "Asha Rao"
    assert tenant.get("/api/rent/roll/", {"month": month}).status_code == 403
    # The format is the Accept header's: a `?format=` is no DRF 404 (tests/contract found it).
    assert landlord.get("/api/rent/roll/", {"month": month, "format": "x]"}).status_code == 200
    bad = landlord.get("/api/rent/roll/", {"month": "2026-13"}, HTTP_ACCEPT="text/csv")
    assert (
        bad.status_code == 400 and json.loads(bad.content)["error"]["code"] == "invalid_parameter"
    )


def test_overdue_invoices_are_on_the_roll(tenant, landlord, invoice):
    month = invoice.period_start.strftime("%Y-%m")
    from leases.models import Invoice

    Invoice.objects.filter(pk=invoice.pk).update(due_date=date.today() - timedelta(days=4))
    body = landlord.get("/api/rent/roll/", {"month": month}).json()
    assert [r["invoice_id"] for r in body["overdue"]] == [str(invoice.id)]
    assert body["overdue"][0]["days_overdue"] == 4
