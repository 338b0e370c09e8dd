"""The API's answers, for the OpenAPI document only (docs/architecture/api.md).

The views answer with `bookings.representation`; these serializers describe those dicts
field for field and never build a response. `add_stripe_webhook` documents the Stripe
webhook, a plain Django view (it verifies the raw body) that drf-spectacular does not
see: a postprocessing hook of this service's SPECTACULAR_SETTINGS.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from rentezy_common.payments.schema import (
    SimulatedEventSchema,
    SimulatedWebhookAnswerSchema,
    stripe_webhook_operation,
)

from ..models import BookingStatus, PaymentIssueKind, RefundStatus
from ..simulator import OUTCOMES

MONEY = {"help_text": "A decimal string with two places."}


class BookingSchema(serializers.Serializer):
    """`booking_representation`: also the payload of `booking-events`."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    reason = serializers.CharField(allow_null=True, help_text="Why it ended as it did.")
    tenant_id = serializers.CharField()
    owner_id = serializers.CharField()
    property_id = serializers.UUIDField()
    room_id = serializers.UUIDField()
    quantity = serializers.IntegerField()
    move_in_date = serializers.DateField()
    currency = serializers.CharField()
    monthly_amount = serializers.CharField(**MONEY)
    deposit_amount = serializers.CharField(**MONEY)
    amount = serializers.CharField(**MONEY)
    amount_paid = serializers.CharField(**MONEY)
    amount_refunded = serializers.CharField(**MONEY)
    refund_status = serializers.ChoiceField(choices=RefundStatus.choices)
    expires_at = serializers.DateTimeField(allow_null=True)
    checkout_url = serializers.CharField(allow_null=True)
    last_payment_error = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Booking"


class RoomAvailabilitySchema(serializers.Serializer):
    """`room_availability_representation`."""

    room_id = serializers.UUIDField()
    property_id = serializers.UUIDField()
    bookable = serializers.BooleanField()
    total_units = serializers.IntegerField()
    available_units = serializers.IntegerField()
    held_units = serializers.IntegerField()
    booked_units = serializers.IntegerField()
    refused_total_units = serializers.IntegerField(
        allow_null=True, help_text="A total the last property snapshot asked for, refused."
    )
    monthly_price = serializers.CharField(**MONEY)
    deposit = serializers.CharField(**MONEY)
    currency = serializers.CharField()

    class Meta:
        ref_name = "RoomAvailability"


class PaymentIssueSchema(serializers.Serializer):
    """`payment_issue_representation`."""

    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=PaymentIssueKind.choices)
    booking_id = serializers.UUIDField(allow_null=True)
    stripe_event_id = serializers.CharField(allow_null=True)
    expected = serializers.JSONField(allow_null=True)
    received = serializers.JSONField(allow_null=True)
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(allow_null=True)
    resolution = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "PaymentIssue"


class _QuoteErrorSchema(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()

    class Meta:
        ref_name = "CancellationRefusal"


class CancellationQuoteSchema(serializers.Serializer):
    """`selectors.booking_cancellation_quote`."""

    booking_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    currency = serializers.CharField()
    cancellable = serializers.BooleanField()
    refund_amount = serializers.CharField(allow_null=True, **MONEY)
    refund_policy = serializers.ChoiceField(choices=["unpaid", "full", "partial"], allow_null=True)
    error = _QuoteErrorSchema(allow_null=True, help_text="Why it cannot be cancelled now.")

    class Meta:
        ref_name = "CancellationQuote"


class SimulatedPaymentSchema(serializers.Serializer):
    event = SimulatedEventSchema()
    webhook = SimulatedWebhookAnswerSchema()
    booking = BookingSchema()

    class Meta:
        ref_name = "SimulatedPayment"


BOOKING_EXAMPLE = OpenApiExample(
    "two units",
    request_only=True,
    value={
        "room_id": "0b8e8a8e-6f0a-4b8e-9f59-3c1f4e0f7a11",
        "quantity": 2,
        "move_in_date": "2026-08-01",
    },
)
SIMULATE_OUTCOMES = OUTCOMES


def add_stripe_webhook(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Stripe webhook's operation (Stripe's
    own event format; fuzzing leaves it out: tests/contract)."""
    result["paths"]["/api/bookings/stripe/webhook/"] = stripe_webhook_operation(
        operation_id="bookings_stripe_webhook",
        tag="bookings",
        description="Verified with `Stripe-Signature` on the raw body "
        "(docs/services/booking.md, Payments). Redeliveries act once.",
    )
    return result
