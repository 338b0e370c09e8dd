"""Stripe's webhook: verify the signature on the raw body, record the event id, then call
the service the event is about, all in one transaction, so a redelivered (or concurrent
duplicate) event acts once. What the event claims is checked by the services against
the booking (bookings.services: session, amount, currency)."""

from __future__ import annotations

import logging
import uuid

from django.db import OperationalError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rentezy_common.errors import error_response

from . import payments, services

logger = logging.getLogger(__name__)

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


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """`POST /api/bookings/stripe/webhook/` (public at the gateway; Stripe signs it)."""
    try:
        event = payments.construct_event(request.body, request.headers.get("Stripe-Signature"))
    except payments.InvalidSignature as exc:
        logger.warning("stripe webhook refused", extra={"error": str(exc)})
        return error_response(400, "invalid_signature", "The Stripe signature does not verify.")
    except payments.InvalidEvent as exc:
        logger.warning("stripe webhook unreadable", extra={"error": str(exc)})
        return error_response(400, "invalid_event", "Not a Stripe event.")
    try:
        result = stripe_event_handle(event)
    except OperationalError:
        # Stripe retries non-2xx answers for three days: nothing is lost.
        return error_response(503, "database_unavailable", "Try again later.")
    logger.info("stripe event", extra={"event_id": event["id"], "type": event["type"],
                                       "result": result})  # fmt: skip
    return JsonResponse({"received": True, "result": result})
