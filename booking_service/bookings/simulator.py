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

from django.conf import settings  # noqa: F401 - the tests read the webhook secret here

from rentezy_common.payments.simulator import deliver, sim_id, stripe_event, stripe_signature

from .payments import minor_units

__all__ = ["OUTCOMES", "checkout_event", "deliver", "stripe_signature"]

OUTCOMES = ("paid", "expired", "failed", "declined")


def checkout_event(booking, outcome: str, *, event_id: str | None = None) -> dict:
    """The Stripe event for `outcome` of the booking's Checkout Session."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    intent = booking.payment_intent_id or sim_id("pi")
    session = {
        "id": booking.checkout_session_id or sim_id("cs"),
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
    return stripe_event(event_type, obj, event_id=event_id)
