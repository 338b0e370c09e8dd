"""Stripe, and nothing else of it elsewhere: customers and SetupIntents (a saved card),
PaymentIntents (a tenant paying an invoice; an off-session autopay charge) and refunds.
stripe-mock serves the API on one machine (settings.STRIPE_API_BASE); real Stripe is
the same code with real keys. The shared parts (client, minor units, webhook
signatures, what an error means) are rentezy_common.payments.

Every call that creates something carries an idempotency key derived from our own row
(the payment, the (invoice, attempt) pair, the refund), so a retry after a timeout never
makes a second charge.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import stripe

from rentezy_common.payments import REFUSALS, client, minor_units

from .errors import PaymentProviderUnavailable, PaymentRefused

logger = logging.getLogger(__name__)


class Refused(PaymentRefused):
    """Stripe answered and said no: retrying the same request cannot help (uncaught, a
    409 `payment_refused`; `decline_code` is Stripe's)."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message[:500], details={"decline_code": code or None})
        self.decline_code = code


@dataclass(frozen=True)
class Charge:
    payment_intent_id: str
    status: str  # Stripe's PaymentIntent status ("succeeded", "processing", ...)
    client_secret: str = ""


def _call(what: str, fn, **context):
    try:
        return fn()
    except stripe.CardError as exc:
        error = getattr(exc, "error", None)
        code = getattr(error, "decline_code", None) or getattr(exc, "code", None) or "card_error"
        raise Refused(str(exc.user_message or exc), code=str(code)) from exc
    except REFUSALS as exc:
        raise Refused(str(exc), code=str(getattr(exc, "code", "") or "refused")) from exc
    except stripe.StripeError as exc:
        logger.warning(f"stripe {what} failed", extra={**context, "error": str(exc)})
        raise PaymentProviderUnavailable(details=context) from exc


def ensure_customer(lease) -> str:
    """The Stripe customer paying this lease (made once per lease)."""
    if lease.stripe_customer_id:
        return lease.stripe_customer_id
    customer = _call(
        "customer",
        lambda: client().v1.customers.create(
            params={"metadata": {"lease_id": str(lease.id), "tenant_id": lease.tenant_id}},
            options={"idempotency_key": f"rent-lease-{lease.id}-customer"},
        ),
        lease_id=str(lease.id),
    )
    return customer.id


def create_setup_intent(lease, customer_id: str, key: str) -> tuple[str, str]:
    """(SetupIntent id, client secret) to save a card for off-session charges."""
    intent = _call(
        "setup intent",
        lambda: client().v1.setup_intents.create(
            params={
                "customer": customer_id,
                "usage": "off_session",
                "payment_method_types": ["card"],
                "metadata": {"lease_id": str(lease.id)},
            },
            options={"idempotency_key": f"rent-lease-{lease.id}-setup-{key}"},
        ),
        lease_id=str(lease.id),
    )
    return intent.id, intent.client_secret or ""


def _metadata(payment) -> dict:
    return {
        "payment_id": str(payment.id),
        "lease_id": str(payment.lease_id),
        "invoice_id": str(payment.invoice_id or ""),
    }


def create_payment_intent(payment, customer_id: str = "") -> Charge:
    """The PaymentIntent the tenant confirms (Stripe.js) to pay `payment.amount`."""
    params = {
        "amount": minor_units(payment.amount, payment.currency),
        "currency": payment.currency.lower(),
        "payment_method_types": ["card"],
        "metadata": _metadata(payment),
    }
    if customer_id:
        params["customer"] = customer_id
    intent = _call(
        "payment intent",
        lambda: client().v1.payment_intents.create(
            params=params, options={"idempotency_key": f"rent-payment-{payment.id}"}
        ),
        payment_id=str(payment.id),
    )
    return Charge(intent.id, intent.status, intent.client_secret or "")


def charge_off_session(payment, *, customer_id: str, payment_method_id: str, key: str) -> Charge:
    """Charge the saved card now, without the tenant (autopay). Refused (with Stripe's
    decline code) when the card is declined; PaymentProviderUnavailable when Stripe
    cannot be reached (the same key makes a retry the same charge)."""
    intent = _call(
        "off-session charge",
        lambda: client().v1.payment_intents.create(
            params={
                "amount": minor_units(payment.amount, payment.currency),
                "currency": payment.currency.lower(),
                "customer": customer_id,
                "payment_method": payment_method_id,
                "off_session": True,
                "confirm": True,
                "metadata": _metadata(payment),
            },
            options={"idempotency_key": key},
        ),
        payment_id=str(payment.id),
    )
    return Charge(intent.id, intent.status)


def refund(refund_row) -> str:
    """Refund `refund_row.amount` of its payment to the card; the same refund row is
    refunded once. Refused or PaymentProviderUnavailable."""
    payment = refund_row.payment
    result = _call(
        "refund",
        lambda: client().v1.refunds.create(
            params={
                "payment_intent": payment.payment_intent_id,
                "amount": minor_units(refund_row.amount, payment.currency),
                "metadata": {"refund_id": str(refund_row.id), "lease_id": str(payment.lease_id)},
            },
            options={"idempotency_key": f"rent-refund-{refund_row.id}"},
        ),
        refund_id=str(refund_row.id),
    )
    return result.id
