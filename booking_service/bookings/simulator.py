"""The payment simulator for one machine, where nobody can reach stripe.com.

It does what `stripe trigger` does against a real account: builds the event Stripe
would send for a booking's Checkout Session, signs it with the webhook secret exactly as
Stripe does (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.payload">`), and POSTs it
to the real webhook endpoint, so everything after that is the production code path.
Refused in production (settings.PAYMENT_SIMULATOR_ENABLED is off there).

Outcomes: `paid` (checkout.session.completed), `expired` (checkout.session.expired),
`failed` (checkout.session.async_payment_failed: the hold ends), `declined`
(payment_intent.payment_failed: the tenant may try again while the hold lasts).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings

from rentezy_common.gateway import sign_request
from rentezy_common.logs import new_request_id

from .payments import minor_units

OUTCOMES = ("paid", "expired", "failed", "declined")


def checkout_event(booking, outcome: str, *, event_id: str | None = None) -> dict:
    """The Stripe event for `outcome` of the booking's Checkout Session."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    intent = booking.payment_intent_id or f"pi_sim_{uuid.uuid4().hex[:24]}"
    session = {
        "id": booking.checkout_session_id or f"cs_sim_{uuid.uuid4().hex[:24]}",
        "object": "checkout.session",
        "amount_total": minor_units(booking.amount, booking.currency),
        "currency": booking.currency.lower(),
        "client_reference_id": str(booking.id),
        "metadata": {"booking_id": str(booking.id)},
        "mode": "payment",
        "payment_intent": intent,
        "payment_status": "paid" if outcome == "paid" else "unpaid",
        "status": {"paid": "complete", "expired": "expired"}.get(outcome, "complete"),
        "livemode": False,
    }
    event_type, obj = {
        "paid": ("checkout.session.completed", session),
        "expired": ("checkout.session.expired", session),
        "failed": ("checkout.session.async_payment_failed", session),
        "declined": (
            "payment_intent.payment_failed",
            {
                "id": intent,
                "object": "payment_intent",
                "metadata": {"booking_id": str(booking.id)},
                "status": "requires_payment_method",
                "last_payment_error": {
                    "code": "card_declined",
                    "message": "Your card was declined.",
                },
            },
        ),
    }[outcome]
    return {
        "id": event_id or f"evt_sim_{uuid.uuid4().hex}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": obj},
    }


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header for `payload` (Stripe's v1 scheme)."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def deliver(event: dict, url: str | None = None) -> tuple[int, dict]:
    """POST the signed event to the webhook endpoint; (status, JSON answer).

    It also carries an (anonymous) gateway signature, so the endpoint can be the booking
    service itself; through the gateway, the gateway replaces those headers with its own."""
    url = url or settings.PAYMENT_SIMULATOR_WEBHOOK_URL
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url!r}")
    payload = json.dumps(event).encode()
    path = urllib.parse.urlsplit(url).path
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": stripe_signature(payload, settings.STRIPE_WEBHOOK_SECRET),
        **sign_request(
            secret=settings.GATEWAY_SIGNING_SECRETS[0], method="POST", path=path,
            request_id=new_request_id(),
        ),
    }  # fmt: skip
    request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our URL
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
