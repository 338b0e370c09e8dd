"""rentezy_common.payments: money in minor units, Stripe's webhook signatures (the
simulator's signing and the services' verification are the same scheme)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from rentezy_common.payments import (
    InvalidEvent,
    InvalidSignature,
    construct_event,
    from_minor_units,
    is_whole_in,
    minor_units,
    quantize,
)
from rentezy_common.payments.simulator import stripe_event, stripe_signature

SECRET = "whsec_test_library"


def test_minor_units_and_back():
    assert minor_units(Decimal("12.345"), "INR") == 1235  # half up
    assert minor_units(Decimal("1500"), "jpy") == 1500
    assert from_minor_units(1235, "INR") == Decimal("12.35")
    assert from_minor_units(1500, "JPY") == Decimal("1500.00")
    assert quantize(Decimal("90322.58"), "JPY") == Decimal("90323.00")
    assert is_whole_in(Decimal("10.50"), "INR") and not is_whole_in(Decimal("10.50"), "JPY")


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE = 300
    return settings


def test_a_signed_event_verifies_and_a_forged_one_does_not(stripe_settings):
    event = stripe_event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"})
    body = json.dumps(event).encode()
    assert construct_event(body, stripe_signature(body, SECRET))["id"] == event["id"]
    for signature in (None, "t=1,v1=00", stripe_signature(body, "whsec_other")):
        with pytest.raises(InvalidSignature):
            construct_event(body, signature)
    with pytest.raises(InvalidSignature):  # older than the tolerance: a replayed capture
        construct_event(body, stripe_signature(body, SECRET, timestamp=1000))
    not_an_event = b"[1, 2]"
    with pytest.raises(InvalidEvent):
        construct_event(not_an_event, stripe_signature(not_an_event, SECRET))
