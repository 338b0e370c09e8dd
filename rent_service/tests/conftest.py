"""Fixtures: callers as the gateway vouches for them, leases fed by real booking-event
envelopes, properties by property-event envelopes, signed Stripe webhooks, the daily
cycle, and the invariant every test must leave true: for every lease, the sum of its
signed entries is the balance shown, the invoices' balances minus the credit add up to
it, credit is never negative, and every invoice's status matches its balance."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from leases import cycle, ledger, simulator
from leases.handlers import on_booking_event, on_directory_event
from leases.models import Invoice, Lease, LedgerEntry
from leases.representation import invoice_representation, lease_representation

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.events.models import OutboxEvent
from rentezy_common.payments.simulator import stripe_signature
from rentezy_common.testing.clients import GatewayClient

# Callers: `tenant`, `other_tenant`, `landlord`, `admin`, `anonymous` are the platform's
# fixtures (rentezy_common.testing.plugin).


# -- events in -----------------------------------------------------------------------------
def envelope(event_type: str, aggregate_type: str, payload: dict, version: int = 1):
    return EventEnvelope(
        id=uuid.uuid4(),
        type=event_type,
        source=aggregate_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(payload["id"]),
        version=version,
        occurred_at=datetime.now(UTC),
        payload=json.loads(json.dumps(payload)),
    )


def booking_payload(*, tenant_id: str, owner_id: str, move_in: date, monthly="30000.00",
                    deposit="60000.00", property_id=None, currency="INR",
                    status="CONFIRMED", booking_id=None, refunded="0.00") -> dict[str, Any]:  # fmt: skip
    amount = Decimal(monthly) + Decimal(deposit)
    return {
        "id": booking_id or str(uuid.uuid4()),
        "status": status,
        "previous_status": "PENDING",
        "reason": None,
        "tenant_id": tenant_id,
        "owner_id": owner_id,
        "property_id": property_id or str(uuid.uuid4()),
        "room_id": str(uuid.uuid4()),
        "quantity": 1,
        "move_in_date": move_in.isoformat(),
        "currency": currency,
        "monthly_amount": monthly,
        "deposit_amount": deposit,
        "amount": f"{amount:.2f}",
        "amount_paid": f"{amount:.2f}",
        "amount_refunded": refunded,
        "refund_status": "",
    }


def deliver_booking(payload: dict, event_type: str = "booking.confirmed") -> None:
    """What the `bookings` consumer does with one event (its transaction included)."""
    with transaction.atomic():
        on_booking_event(envelope(event_type, "booking", payload))


def publish_property(*, owner_id: str, time_zone: str | None = "Asia/Kolkata", version=1,
                     property_id=None) -> str:  # fmt: skip
    snapshot = {
        "id": property_id or str(uuid.uuid4()),
        "owner_id": owner_id,
        "status": "published",
        "title": "Sunny flat by the park",
        "address": {"line1": "12 MG Road", "city": "Bengaluru", "country": "IN"},
        "currency": "INR",
    }
    if time_zone is not None:
        snapshot["time_zone"] = time_zone
    with transaction.atomic():
        on_directory_event(envelope("property.published", "property", snapshot, version))
    return snapshot["id"]


def publish_user(user_id: str, full_name: str, version: int = 1, **fields) -> None:
    user = {"id": user_id, "email": f"{user_id}@example.com", "full_name": full_name,
            "role": "tenant", "time_zone": "Asia/Kolkata", "locale": "en-IN", **fields}  # fmt: skip
    with transaction.atomic():
        on_directory_event(envelope("user.registered", "user", user, version))


def lease_from_booking(
    tenant: GatewayClient, landlord: GatewayClient, move_in: date, **kw
) -> Lease:
    payload = booking_payload(tenant_id=tenant.user_id, owner_id=landlord.user_id,
                              move_in=move_in, **kw)  # fmt: skip
    deliver_booking(payload)
    return Lease.objects.get(booking_id=payload["id"])


def make_lease(landlord: GatewayClient, tenant_id: str, **terms) -> Lease:
    """A lease a landlord typed in (through the API), on a property of theirs."""
    property_id = terms.pop("property_id", None) or publish_property(owner_id=landlord.user_id)
    body = {
        "tenant_id": tenant_id,
        "property_id": property_id,
        "currency": "INR",
        "monthly_rent": "30000.00",
        "start_date": date.today().isoformat(),
        **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in terms.items()},
    }
    response = landlord.post("/api/rent/leases/", body, format="json")
    assert response.status_code == 201, response.json()
    return Lease.objects.get(pk=response.json()["id"])


# -- Stripe webhooks -------------------------------------------------------------------
def post_webhook(event: dict, *, secret: str | None = None, signature: str | None = None):
    payload = json.dumps(event).encode()
    header = signature or stripe_signature(payload, secret or settings.STRIPE_WEBHOOK_SECRET)
    return GatewayClient().post(
        "/api/rent/stripe/webhook/", data=payload, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )  # fmt: skip


def settle(payment_id, outcome: str = "succeeded", **kwargs):
    from leases.models import Payment

    payment = Payment.objects.get(pk=payment_id)
    return post_webhook(simulator.payment_event(payment, outcome, **kwargs))


def save_card(tenant: GatewayClient, lease: Lease) -> None:
    """The tenant saves a card: a SetupIntent (stripe-mock), then Stripe's webhook."""
    response = tenant.post(f"/api/rent/leases/{lease.id}/card/", format="json")
    assert response.status_code == 200, response.json()
    lease.refresh_from_db()
    assert post_webhook(simulator.setup_event(lease)).json()["result"] == "card_saved"
    response = tenant.post(f"/api/rent/leases/{lease.id}/autopay/", {"enabled": True},
                           format="json")  # fmt: skip
    assert response.status_code == 200, response.json()


def run(d: date):
    return cycle.run_rent_cycle(d)


def rent_events(lease_id) -> list[OutboxEvent]:
    return list(
        OutboxEvent.objects.filter(aggregate_type="lease", aggregate_id=str(lease_id)).order_by(
            "version"
        )
    )


def entries(lease_id) -> list[tuple]:
    return list(
        LedgerEntry.objects.filter(lease_id=lease_id)
        .order_by("id")
        .values_list("kind", "amount", "invoice__period_start")
    )


def invoices(lease: Lease) -> list[Invoice]:
    return list(
        Invoice.objects.select_related("lease").filter(lease=lease).order_by("period_start")
    )


# -- the invariant ---------------------------------------------------------------------
def ledger_problems() -> list[str]:
    problems = []
    for lease in Lease.objects.select_related("deposit"):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT coalesce(sum(amount), 0) FROM {LedgerEntry._meta.db_table} "
                "WHERE lease_id = %s",
                [lease.id],
            )
            total = cursor.fetchone()[0]
        shown = lease_representation(lease)
        credit = Decimal(shown["credit"])
        if Decimal(shown["balance"]) != total:
            problems.append(f"{lease.id}: balance {shown['balance']} != entries {total}")
        if credit < 0:
            problems.append(f"{lease.id}: negative credit {credit}")
        owed = Decimal(0)
        for invoice in Invoice.objects.select_related("lease").filter(lease=lease):
            balance = Decimal(invoice_representation(invoice)["balance"])
            owed += balance
            ok = {
                "open": balance > 0, "partially_paid": balance > 0, "paid": balance == 0,
                "void": balance == 0, "uncollectible": balance >= 0,
            }[invoice.status]  # fmt: skip
            if not ok or balance < 0:
                problems.append(f"invoice {invoice.id}: {invoice.status} with balance {balance}")
        if owed - credit != total:
            problems.append(f"{lease.id}: invoices {owed} - credit {credit} != {total}")
    return problems


@pytest.fixture(autouse=True)
def ledger_adds_up(request):
    yield
    if "django_db" in request.keywords or "transactional_db" in request.fixturenames:
        try:
            problems = ledger_problems()
        except Exception:  # the test had no database access
            return
        assert problems == [], problems


@pytest.fixture
def empty_queue():
    """Empty the Celery queue after the test (tasks it queued that nobody will run)."""
    yield
    from config.celery import app

    app.control.purge()


def days(n: int) -> timedelta:
    return timedelta(days=n)


__all__ = ["ledger"]
