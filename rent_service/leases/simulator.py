"""The payment simulator for one machine, where nobody can reach stripe.com (refused in
production: settings.PAYMENT_SIMULATOR_ENABLED is off there). Like booking's, it builds
the event Stripe would send, signs it with the webhook secret exactly as Stripe does and
POSTs it to the real webhook endpoint (rentezy_common.payments.simulator), so everything
after that is the production code path.

- a rent payment or an autopay attempt: `succeeded` (payment_intent.succeeded), `failed`
  (payment_intent.payment_failed, a soft decline: `insufficient_funds`, retried on the
  schedule) or `hard_declined` (`stolen_card`: never retried);
- a saved card: `setup_intent.succeeded` with stripe-mock's test card `pm_card_visa`;
- the dev switch (`card_simulate_decline`): the next off-session charge of the saved card
  fails with a decline code, delivered here as a signed payment_intent.payment_failed.
"""

from __future__ import annotations

from rentezy_common.payments import minor_units
from rentezy_common.payments.simulator import deliver, sim_id, stripe_event

__all__ = ["OUTCOMES", "answer", "charge_event", "deliver", "payment_event", "setup_event"]

OUTCOMES = ("succeeded", "failed", "hard_declined")
SOFT_DECLINE = "insufficient_funds"
HARD_DECLINE = "stolen_card"
TEST_CARD = "pm_card_visa"


def payment_event(
    payment, outcome: str, *, decline_code: str | None = None, event_id: str | None = None
) -> dict:
    """The Stripe event for `outcome` of the payment's PaymentIntent."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    intent = {
        "id": payment.payment_intent_id or sim_id("pi"),
        "object": "payment_intent",
        "amount": minor_units(payment.amount, payment.currency),
        "amount_received": minor_units(payment.amount, payment.currency)
        if outcome == "succeeded"
        else 0,
        "currency": payment.currency.lower(),
        "metadata": {
            "payment_id": str(payment.id),
            "lease_id": str(payment.lease_id),
            "invoice_id": str(payment.invoice_id or ""),
        },
        "status": "succeeded" if outcome == "succeeded" else "requires_payment_method",
        "livemode": False,
    }
    if outcome == "succeeded":
        return stripe_event("payment_intent.succeeded", intent, event_id=event_id)
    code = decline_code or (HARD_DECLINE if outcome == "hard_declined" else SOFT_DECLINE)
    intent["last_payment_error"] = {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": code,
        "message": "Your card was declined.",
    }
    return stripe_event("payment_intent.payment_failed", intent, event_id=event_id)


def setup_event(lease, *, payment_method: str = TEST_CARD, event_id: str | None = None) -> dict:
    """`setup_intent.succeeded` for the lease's SetupIntent: the card is saved."""
    intent = {
        "id": lease.setup_intent_id or sim_id("seti"),
        "object": "setup_intent",
        "customer": lease.stripe_customer_id or None,
        "payment_method": payment_method,
        "metadata": {"lease_id": str(lease.id)},
        "status": "succeeded",
        "usage": "off_session",
        "livemode": False,
    }
    return stripe_event("setup_intent.succeeded", intent, event_id=event_id)


def charge_event(payment, decline_code: str = "") -> dict:
    """Stripe's answer to an off-session charge: succeeded, or declined with the code."""
    if not decline_code:
        return payment_event(payment, "succeeded")
    outcome = "hard_declined" if decline_code == HARD_DECLINE else "failed"
    return payment_event(payment, outcome, decline_code=decline_code)


def answer(payment, decline_code: str = "") -> int:
    """Deliver `charge_event` to the webhook; the HTTP status it answered."""
    status, _ = deliver(charge_event(payment, decline_code))
    return status
