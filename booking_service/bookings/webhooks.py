"""Stripe's webhook: verify the signature on the raw body, record the event id, then call
the service the event is about, all in one transaction, so a redelivered (or concurrent
duplicate) event acts once. What the event claims is checked by the services against
the booking (bookings.services: session, amount, currency)."""

from __future__ import annotations

import uuid

from django.db import transaction

from rentezy_common.payments.webhooks import stripe_webhook_view

from . import services

SESSION_PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
SETTLED = ("paid", "no_payment_required")


def stripe_event_handle(event: dict) -> str:
    """Apply one verified Stripe event, once. Returns what happened (for the logs)."""
    event_type = event["type"]
    obj = (event.get("data") or {}).get("object")
    obj = obj if isinstance(obj, dict) else {}
    booking_id = _booking_id(obj)
    with transaction.atomic():
        if not services.stripe_event_record(
            event_id=event["id"], event_type=event_type, booking_id=booking_id
        ):
            return "duplicate"
        if booking_id is None:
            return "ignored"
        session_id = obj.get("id") if obj.get("object") == "checkout.session" else None
        if event_type in SESSION_PAID:
            if obj.get("payment_status") not in SETTLED:
                return "awaiting_payment"  # async methods: *_async_payment_succeeded follows
            return services.booking_payment_received(
                booking_id=booking_id,
                session_id=session_id,
                amount_minor=obj.get("amount_total"),
                currency=obj.get("currency"),
                payment_intent=_text(obj.get("payment_intent")),
                stripe_event_id=event["id"],
            )
        if event_type == "checkout.session.expired":
            return services.booking_checkout_expired(booking_id=booking_id, session_id=session_id)
        if event_type == "checkout.session.async_payment_failed":
            return services.booking_payment_failed(
                booking_id=booking_id,
                session_id=session_id,
                error="asynchronous payment failed",
                final=True,
            )
        if event_type == "payment_intent.payment_failed":
            error = (obj.get("last_payment_error") or {}).get("message") or "payment failed"
            return services.booking_payment_failed(
                booking_id=booking_id, session_id=None, error=str(error), final=False
            )
    return "ignored"


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _booking_id(obj: dict) -> uuid.UUID | None:
    metadata = obj.get("metadata")
    raw = (metadata.get("booking_id") if isinstance(metadata, dict) else None) or obj.get(
        "client_reference_id"
    )
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


# `POST /api/bookings/stripe/webhook/` (public at the gateway; Stripe signs it).
stripe_webhook = stripe_webhook_view(stripe_event_handle)
