"""Stripe, as every service that takes money uses it (booking_service, rent_service):
money in a currency's minor units, the API client, what a Stripe error means (refused
or unreachable), and the verification of Stripe's signed webhooks. A service keeps its
own calls (Checkout Sessions, PaymentIntents, refunds) in its own `payments.py`.

Needs `rentezy-common[payments]` (the `stripe` package). Settings: `stripe_settings`
(rentezy_common.payment_settings); the dev-only payment simulator's signing and delivery:
rentezy_common.payments.simulator.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings

from rentezy_common.jsonbody import BadJson
from rentezy_common.jsonbody import loads as json_loads

# ISO 4217 currencies Stripe takes in whole units (https://docs.stripe.com/currencies).
ZERO_DECIMAL = frozenset(
    ("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
     "VUV", "XAF", "XOF", "XPF")
)  # fmt: skip


class InvalidSignature(Exception):
    pass


class InvalidEvent(Exception):
    """Signed by Stripe, but not an event we can read (not a JSON object, no id/type)."""


# Stripe errors that are answers, not outages (https://docs.stripe.com/api/errors): trying
# again cannot help. Anything else (network, rate limit, Stripe's 5xx) is worth a retry.
REFUSALS = (
    stripe.InvalidRequestError,
    stripe.CardError,
    stripe.AuthenticationError,
    stripe.PermissionError,
    stripe.IdempotencyError,
)


def exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit (0 for JPY, 2 for INR)."""
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def minor_units(amount: Decimal, currency: str) -> int:
    return int((amount * 10 ** exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor_units(value: int, currency: str) -> Decimal:
    return (Decimal(value) / 10 ** exponent(currency)).quantize(Decimal("0.01"))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded (half up) to what the currency can be paid in, kept with two
    places (amounts are stored as numeric(14, 2))."""
    step = Decimal(1).scaleb(-exponent(currency))
    return amount.quantize(step, rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def is_whole_in(amount: Decimal, currency: str) -> bool:
    """True if `amount` has no more places than the currency's minor unit allows."""
    return quantize(amount, currency) == amount


class _HttpClient(stripe.RequestsClient):
    """stripe's requests client, with sessions that ignore proxy variables: requests
    otherwise re-reads the environment's proxy settings on every call (~1 ms)."""

    def _request_internal(self, *args, **kwargs):
        if getattr(self._thread_local, "session", None) is None:
            session = self.requests.Session()
            session.trust_env = False
            self._thread_local.session = session
        return super()._request_internal(*args, **kwargs)


@functools.cache
def client() -> stripe.StripeClient:
    """The Stripe client of this process (stripe-mock outside production)."""
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=_HttpClient(timeout=settings.STRIPE_TIMEOUT),
    )


def construct_event(payload: bytes, signature: str | None) -> dict:
    """The verified event as a plain dict. InvalidSignature when it is not Stripe's;
    InvalidEvent when it is signed but not an event object (the platform's JSON limits
    apply: a signed body is still input)."""
    if not signature:
        raise InvalidSignature("missing Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )  # fmt: skip
    except (stripe.SignatureVerificationError, ValueError) as exc:  # incl. bad UTF-8
        raise InvalidSignature(str(exc)) from exc
    try:
        event = json_loads(payload)
    except BadJson as exc:
        raise InvalidEvent(exc.message) from exc
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
    ):
        raise InvalidEvent("not a Stripe event object")
    return event


def event_object(event: dict) -> dict:
    """`event.data.object`, or {} when the event has none (never trusted blindly: the
    services compare what it claims with their own records)."""
    obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
    return obj if isinstance(obj, dict) else {}
