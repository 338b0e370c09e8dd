"""Stripe's webhook: verify the signature on the raw body (rentezy_common.payments),
record the event id, then call the service the event is about, all in one transaction,
so a redelivered (or concurrent duplicate) event acts once. What the event claims is
checked by the services against the payment (leases.services: the PaymentIntent's id,
amount and currency)."""

from __future__ import annotations

import uuid

from django.db import transaction

from rentezy_common.payments import event_object
from rentezy_common.payments.webhooks import stripe_webhook_view

from . import services


def stripe_event_handle(event: dict) -> str:
    """Apply one verified Stripe event, once. Returns what happened (for the logs)."""
    event_type = event["type"]
    obj = event_object(event)
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    with transaction.atomic():
        if not services.stripe_event_record(event_id=event["id"], event_type=event_type):
            return "duplicate"
        if event_type == "setup_intent.succeeded":
            lease_id = _uuid(metadata.get("lease_id"))
            if lease_id is None or not isinstance(obj.get("payment_method"), str):
                return "ignored"
            return services.setup_succeeded(
                lease_id=lease_id, setup_intent_id=str(obj.get("id") or ""),
                payment_method_id=obj["payment_method"],
            )  # fmt: skip
        payment_id = _uuid(metadata.get("payment_id"))
        if payment_id is None or obj.get("object") != "payment_intent":
            return "ignored"
        intent_id = obj.get("id") if isinstance(obj.get("id"), str) else None
        if event_type == "payment_intent.succeeded":
            return services.payment_succeeded(
                payment_id=payment_id, intent_id=intent_id,
                amount_minor=obj.get("amount_received", obj.get("amount")),
                currency=obj.get("currency"), stripe_event_id=event["id"],
            )  # fmt: skip
        if event_type == "payment_intent.payment_failed":
            error = obj.get("last_payment_error")
            error = error if isinstance(error, dict) else {}
            code = error.get("decline_code") or error.get("code") or "payment_failed"
            return services.payment_failed(
                payment_id=payment_id, intent_id=intent_id, code=str(code),
                message=str(error.get("message") or "The payment failed."),
            )  # fmt: skip
    return "ignored"


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


# `POST /api/rent/stripe/webhook/` (public at the gateway; Stripe signs it).
stripe_webhook = stripe_webhook_view(stripe_event_handle)
