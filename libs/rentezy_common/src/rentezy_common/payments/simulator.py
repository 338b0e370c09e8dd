"""The payment simulator's shared half, for one machine where nobody can reach stripe.com
(dev and tests only: settings.PAYMENT_SIMULATOR_ENABLED is off in production).

A service's own `simulator.py` builds the event Stripe would send (a Checkout Session
paid, a PaymentIntent failed); this module signs it with the webhook secret exactly as
Stripe does (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.payload">`) and POSTs
it to the real webhook endpoint, so everything after that is the production code path.
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

from ..gateway import sign_request
from ..logs import new_request_id

API_VERSION = "2025-01-27.acacia"


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header for `payload` (Stripe's v1 scheme)."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def stripe_event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    """A Stripe event envelope around `obj`, as Stripe sends it."""
    return {
        "id": event_id or f"evt_sim_{uuid.uuid4().hex}",
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": obj},
    }


def sim_id(prefix: str) -> str:
    """A Stripe-shaped id the simulator makes up (`pi_sim_…`, `cs_sim_…`)."""
    return f"{prefix}_sim_{uuid.uuid4().hex[:24]}"


def deliver(event: dict, url: str | None = None) -> tuple[int, dict]:
    """POST the signed event to the webhook endpoint; (status, JSON answer).

    It also carries an (anonymous) gateway signature, so the endpoint can be the service
    itself; through the gateway, the gateway replaces those headers with its own."""
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
