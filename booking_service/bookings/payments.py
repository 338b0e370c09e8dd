"""Stripe, and nothing else of it elsewhere: Checkout Sessions, their expiry, refunds and
webhook signatures. stripe-mock serves the API on one machine (settings.STRIPE_API_BASE);
real Stripe is the same code with real keys and no base override.

Every call that creates something carries an idempotency key derived from the booking,
so a retry after a timeout never makes a second session or a second refund.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import stripe
from django.conf import settings

# The Stripe parts every paying service shares (rentezy_common.payments), under the
# names this app has always used.
from rentezy_common.payments import REFUSALS as _REFUSALS
from rentezy_common.payments import (  # noqa: F401
    ZERO_DECIMAL,
    InvalidEvent,
    InvalidSignature,
    client,
    construct_event,
    from_minor_units,
    minor_units,
)

from .errors import PaymentProviderUnavailable

logger = logging.getLogger(__name__)


class RefundRefused(Exception):
    """Stripe answered and said no (already refunded, amount too large, the payment
    cannot be refunded): trying again cannot help, a person must look."""


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
