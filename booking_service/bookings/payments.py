"""Stripe, and nothing else of it elsewhere: Checkout Sessions, their expiry, refunds and
webhook signatures. stripe-mock serves the API on one machine (settings.STRIPE_API_BASE);
real Stripe is the same code with real keys and no base override.

Every call that creates something carries an idempotency key derived from the booking,
so a retry after a timeout never makes a second session or a second refund.
"""

from __future__ import annotations

import functools
import logging
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings

from rentezy_common.jsonbody import BadJson
from rentezy_common.jsonbody import loads as json_loads

from .errors import PaymentProviderUnavailable

logger = logging.getLogger(__name__)

# ISO 4217 currencies Stripe takes in whole units (https://docs.stripe.com/currencies).
ZERO_DECIMAL = frozenset(
    ("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
     "VUV", "XAF", "XOF", "XPF")
)  # fmt: skip


class InvalidSignature(Exception):
    pass


class InvalidEvent(Exception):
    """Signed by Stripe, but not an event we can read (not a JSON object, no id/type)."""


class RefundRefused(Exception):
    """Stripe answered and said no (already refunded, amount too large, the payment
    cannot be refunded): trying again cannot help, a person must look."""


# Stripe errors that are answers, not outages (https://docs.stripe.com/api/errors).
_REFUSALS = (
    stripe.InvalidRequestError,
    stripe.CardError,
    stripe.AuthenticationError,
    stripe.PermissionError,
    stripe.IdempotencyError,
)


def minor_units(amount: Decimal, currency: str) -> int:
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    return int((amount * 10**exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor_units(value: int, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    return (Decimal(value) / 10**exponent).quantize(Decimal("0.01"))


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
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=_HttpClient(timeout=settings.STRIPE_TIMEOUT),
    )


def create_checkout_session(booking) -> tuple[str, str]:
    """(session id, url) of the Checkout Session paying `booking`."""
    currency = booking.currency.lower()
    line_items = [
        {
            "price_data": {
                "currency": currency,
                "unit_amount": minor_units(booking.monthly_amount / booking.quantity, currency),
                "product_data": {"name": "First month's rent"},
            },
            "quantity": booking.quantity,
        }
    ]
    if booking.deposit_amount:
        line_items.append(
            {
                "price_data": {
                    "currency": currency,
                    "unit_amount": minor_units(booking.deposit_amount, currency),
                    "product_data": {"name": "Security deposit"},
                },
                "quantity": 1,
            }
        )
    params = {
        "mode": "payment",
        "client_reference_id": str(booking.id),
        "metadata": {"booking_id": str(booking.id)},
        "payment_intent_data": {"metadata": {"booking_id": str(booking.id)}},
        "line_items": line_items,
        "success_url": settings.BOOKING_CHECKOUT_SUCCESS_URL.format(booking_id=booking.id),
        "cancel_url": settings.BOOKING_CHECKOUT_CANCEL_URL.format(booking_id=booking.id),
    }
    try:
        # raw_request: the same call, without building a StripeObject tree of the whole
        # session (a third of the call's CPU); only its id and URL are needed.
        response = client().raw_request(
            "post", "/v1/checkout/sessions",
            idempotency_key=f"booking-{booking.id}-checkout", **params,
        )  # fmt: skip
        session = response.data
    except stripe.StripeError as exc:
        logger.warning("checkout session not created", extra={"booking_id": str(booking.id),
                                                               "error": str(exc)})  # fmt: skip
        raise PaymentProviderUnavailable(details={"booking_id": str(booking.id)}) from exc
    return session["id"], _checkout_url(booking, session["url"])


def _checkout_url(booking, stripe_url: str) -> str:
    """Stripe's hosted page; on one machine (simulator on) the web app's dev page."""
    if settings.PAYMENT_SIMULATOR_ENABLED and settings.BOOKING_DEV_CHECKOUT_URL:
        return settings.BOOKING_DEV_CHECKOUT_URL.format(booking_id=booking.id)
    return stripe_url


def expire_checkout_session(session_id: str) -> None:
    """Close an open session so it cannot be paid any more. A session that is already
    complete or expired is fine (Stripe answers 400): the webhook tells what happened."""
    try:
        client().v1.checkout.sessions.expire(session_id)
    except stripe.InvalidRequestError as exc:
        logger.info("checkout session not expired", extra={"session": session_id,
                                                           "error": str(exc)})  # fmt: skip


def refund(booking, amount: Decimal) -> str:
    """Refund `amount` of the booking's payment; the same booking is refunded once.
    RefundRefused when Stripe says no, PaymentProviderUnavailable when it cannot be
    asked (network, rate limit, Stripe's own 5xx): only the latter is worth retrying."""
    try:
        result = client().v1.refunds.create(
            params={
                "payment_intent": booking.payment_intent_id,
                "amount": minor_units(amount, booking.currency),
                "metadata": {"booking_id": str(booking.id)},
            },
            options={"idempotency_key": f"booking-{booking.id}-refund"},
        )
    except _REFUSALS as exc:
        raise RefundRefused(str(exc)) from exc
    except stripe.StripeError as exc:
        raise PaymentProviderUnavailable(str(exc) or type(exc).__name__) from exc
    return result.id


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
