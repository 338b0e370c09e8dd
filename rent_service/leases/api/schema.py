"""The API's answers, for the OpenAPI document only (docs/architecture/api.md).

The views answer with `leases.representation`; these serializers describe those dicts
field for field and never build a response. `add_stripe_webhook` documents the Stripe
webhook (a plain Django view): a postprocessing hook of this service's settings.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from rentezy_common.payments.schema import (
    SimulatedEventSchema,
    SimulatedWebhookAnswerSchema,
    stripe_webhook_operation,
)

from ..choices import (
    AttemptStatus,
    EntryKind,
    InvoiceStatus,
    LateFeeKind,
    LeaseStatus,
    PaymentIssueKind,
    PaymentKind,
    PaymentStatus,
    RefundDestination,
    RefundStatus,
)

MONEY = {"help_text": "A decimal string with two places, in the lease's currency."}


def _money(**kwargs):
    return serializers.CharField(**{**MONEY, **kwargs})


class _LateFeeSchema(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LateFeeKind.choices)
    amount = _money(help_text="Flat amount, or percent of the overdue balance.")
    cap = _money(allow_null=True)
    grace_days = serializers.IntegerField()

    class Meta:
        ref_name = "LateFeeRule"


class _DeductionSchema(serializers.Serializer):
    description = serializers.CharField()
    amount = _money()
    kind = serializers.CharField()

    class Meta:
        ref_name = "DepositDeduction"


class _DepositSchema(serializers.Serializer):
    held = _money()
    settled = serializers.BooleanField()
    deductions = _DeductionSchema(many=True)
    returned_amount = _money(allow_null=True)
    settled_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Deposit"


class LeaseSchema(serializers.Serializer):
    """`lease_representation`: also the payload of lease events in `rent-events`."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=LeaseStatus.choices)
    booking_id = serializers.UUIDField(allow_null=True)
    tenant_id = serializers.CharField()
    landlord_id = serializers.CharField()
    property_id = serializers.UUIDField()
    room_id = serializers.UUIDField(allow_null=True)
    quantity = serializers.IntegerField()
    currency = serializers.CharField()
    monthly_rent = _money()
    due_day = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="The last day (inclusive).")
    month_to_month = serializers.BooleanField()
    notice_days = serializers.IntegerField()
    late_fee = _LateFeeSchema()
    reminder_days = serializers.IntegerField()
    time_zone = serializers.CharField(help_text="The property's IANA zone: the lease's dates.")
    autopay = serializers.BooleanField()
    card_saved = serializers.BooleanField()
    deposit = _DepositSchema()
    balance = _money(help_text="The sum of the lease's ledger: owed if positive.")
    credit = _money(help_text="Paid beyond the invoices; applied to the next one.")
    notice_given_at = serializers.DateTimeField(allow_null=True)
    notice_given_by = serializers.CharField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Lease"


class LeaseListItemSchema(LeaseSchema):
    """A lease in the list: also the tenant's name from the people directory ("" when
    rent_service has not heard of them yet)."""

    tenant_name = serializers.CharField()

    class Meta:
        ref_name = "LeaseListItem"


class InvoiceSchema(serializers.Serializer):
    """`invoice_representation`."""

    id = serializers.UUIDField()
    lease_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    currency = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Exclusive: the next period's start.")
    due_date = serializers.DateField()
    prorated = serializers.BooleanField()
    rent = _money()
    late_fee = _money()
    waived = _money()
    adjustments = _money()
    paid = _money()
    balance = _money()
    issued_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Invoice"


class AttemptSchema(serializers.Serializer):
    id = serializers.UUIDField()
    invoice_id = serializers.UUIDField()
    lease_id = serializers.UUIDField()
    number = serializers.IntegerField()
    scheduled_for = serializers.DateField()
    status = serializers.ChoiceField(choices=AttemptStatus.choices)
    payment_id = serializers.UUIDField(allow_null=True)
    decline_code = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "AutopayAttempt"


class InvoiceDetailSchema(InvoiceSchema):
    attempts = AttemptSchema(many=True, help_text="Autopay attempts, in order.")

    class Meta:
        ref_name = "InvoiceDetail"


class PaymentSchema(serializers.Serializer):
    id = serializers.UUIDField()
    lease_id = serializers.UUIDField()
    invoice_id = serializers.UUIDField(allow_null=True)
    kind = serializers.ChoiceField(choices=PaymentKind.choices)
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    amount = _money()
    currency = serializers.CharField()
    refunded = _money()
    payment_intent_id = serializers.CharField(allow_null=True)
    client_secret = serializers.CharField(
        allow_null=True, help_text="For Stripe.js to confirm the PaymentIntent."
    )
    failure_code = serializers.CharField(allow_null=True)
    failure_message = serializers.CharField(allow_null=True)
    receipt_url = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    succeeded_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "RentPayment"


class EntrySchema(serializers.Serializer):
    id = serializers.IntegerField()
    lease_id = serializers.UUIDField()
    invoice_id = serializers.UUIDField(allow_null=True)
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    amount = _money(help_text="Signed: positive is owed by the tenant.")
    payment_id = serializers.UUIDField(allow_null=True)
    refund_id = serializers.UUIDField(allow_null=True)
    memo = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "LedgerEntry"


class RefundSchema(serializers.Serializer):
    id = serializers.UUIDField()
    payment_id = serializers.UUIDField()
    lease_id = serializers.UUIDField()
    amount = _money()
    currency = serializers.CharField()
    destination = serializers.ChoiceField(choices=RefundDestination.choices)
    status = serializers.ChoiceField(choices=RefundStatus.choices)
    reason = serializers.CharField(allow_null=True)
    last_error = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "RentRefund"


class CardSetupSchema(serializers.Serializer):
    lease_id = serializers.UUIDField()
    setup_intent_id = serializers.CharField()
    client_secret = serializers.CharField(help_text="For Stripe.js to confirm the SetupIntent.")
    customer_id = serializers.CharField()

    class Meta:
        ref_name = "CardSetup"


class _RollTotalSchema(serializers.Serializer):
    currency = serializers.CharField()
    expected = _money()
    collected = _money()
    outstanding = _money()

    class Meta:
        ref_name = "RentRollTotal"


class _RollRowSchema(serializers.Serializer):
    lease_id = serializers.UUIDField()
    property_id = serializers.UUIDField()
    tenant_id = serializers.CharField()
    tenant_name = serializers.CharField()
    invoice_id = serializers.UUIDField()
    period_start = serializers.DateField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    currency = serializers.CharField()
    expected = _money()
    collected = _money()
    outstanding = _money()
    days_overdue = serializers.IntegerField()

    class Meta:
        ref_name = "RentRollRow"


class RentRollSchema(serializers.Serializer):
    month = serializers.CharField()
    generated_at = serializers.DateTimeField()
    totals = _RollTotalSchema(many=True)
    rows = _RollRowSchema(many=True)
    overdue = _RollRowSchema(many=True)

    class Meta:
        ref_name = "RentRoll"


class SimulatedPaymentSchema(serializers.Serializer):
    event = SimulatedEventSchema()
    webhook = SimulatedWebhookAnswerSchema()
    payment = PaymentSchema()

    class Meta:
        ref_name = "SimulatedRentPayment"


class SimulatedCardSchema(serializers.Serializer):
    event = SimulatedEventSchema(allow_null=True)
    webhook = SimulatedWebhookAnswerSchema(allow_null=True)
    lease = LeaseSchema()

    class Meta:
        ref_name = "SimulatedCard"


class PaymentIssueSchema(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=PaymentIssueKind.choices)
    lease_id = serializers.UUIDField(allow_null=True)
    payment_id = serializers.UUIDField(allow_null=True)
    stripe_event_id = serializers.CharField(allow_null=True)
    expected = serializers.JSONField(allow_null=True)
    received = serializers.JSONField(allow_null=True)
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "RentPaymentIssue"


LEASE_EXAMPLE = OpenApiExample(
    "a year's lease",
    request_only=True,
    value={
        "tenant_id": "42",
        "property_id": "7f0c8a8e-6f0a-4b8e-9f59-3c1f4e0f7a11",
        "currency": "INR",
        "monthly_rent": "25000.00",
        "start_date": "2026-12-15",
        "end_date": "2027-12-14",
        "due_day": 1,
        "deposit_held": "50000.00",
        "late_fee_kind": "percent",
        "late_fee_amount": "5.00",
        "late_fee_cap": "2000.00",
        "grace_days": 5,
    },
)


def add_stripe_webhook(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Stripe webhook's operation."""
    result["paths"]["/api/rent/stripe/webhook/"] = stripe_webhook_operation(
        operation_id="rent_stripe_webhook",
        tag="rent",
        description="Verified with `Stripe-Signature` on the raw body (docs/services/rent.md, "
        "Payments): payment_intent.succeeded / payment_failed, setup_intent.succeeded. "
        "Redeliveries act once.",
    )
    return result
