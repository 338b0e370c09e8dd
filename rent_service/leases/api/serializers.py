"""Request validation (bodies and query parameters)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from ..choices import LateFeeKind, RefundDestination
from ..simulator import OUTCOMES

AMOUNT = {"max_digits": 12, "decimal_places": 2}
MAX_YEARS_AHEAD = 10  # an end or move-out date at most this far ahead
POSITIVE = {**AMOUNT, "min_value": Decimal("0.01")}
DEDUCTION_KINDS = ("damage", "cleaning", "unpaid_rent", "other")
CURRENCY = {"regex": r"^[A-Za-z]{3}$", "help_text": "ISO 4217, e.g. INR."}


class LeaseTermsSerializer(serializers.Serializer):
    currency = serializers.RegexField(**CURRENCY)
    monthly_rent = serializers.DecimalField(**POSITIVE)
    due_day = serializers.IntegerField(min_value=1, max_value=28, required=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    notice_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    late_fee_kind = serializers.ChoiceField(choices=LateFeeKind.choices, required=False)
    late_fee_amount = serializers.DecimalField(**AMOUNT, min_value=Decimal(0), required=False)
    late_fee_cap = serializers.DecimalField(
        **AMOUNT, min_value=Decimal(0), required=False, allow_null=True
    )
    grace_days = serializers.IntegerField(min_value=0, max_value=60, required=False)
    reminder_days = serializers.IntegerField(min_value=0, max_value=28, required=False)

    def validate_start_date(self, value):
        today = timezone.localdate()
        if not today - timedelta(days=62) <= value <= today + timedelta(days=730):
            raise serializers.ValidationError("Within two months back and two years ahead.")
        return value

    def validate_end_date(self, value):
        return _not_too_far(value)

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": "Before the start date."})
        return attrs


class LeaseCreateSerializer(LeaseTermsSerializer):
    tenant_id = serializers.RegexField(r"^[A-Za-z0-9_-]{1,64}$")
    property_id = serializers.UUIDField()
    room_id = serializers.UUIDField(required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1, max_value=50, required=False)
    deposit_held = serializers.DecimalField(**AMOUNT, min_value=Decimal(0), required=False)


class LeaseUpdateSerializer(LeaseTermsSerializer):
    """PATCH: any of the terms."""


def _not_too_far(value):
    if value is not None and value > timezone.localdate() + timedelta(days=366 * MAX_YEARS_AHEAD):
        raise serializers.ValidationError(f"At most {MAX_YEARS_AHEAD} years ahead.")
    return value


class NoticeSerializer(serializers.Serializer):
    move_out_date = serializers.DateField(
        required=False, allow_null=True, help_text="The last day wished (at least the notice)."
    )

    def validate_move_out_date(self, value):
        return _not_too_far(value)


class RenewSerializer(serializers.Serializer):
    end_date = serializers.DateField(allow_null=True, help_text="null: month to month.")
    monthly_rent = serializers.DecimalField(**POSITIVE, required=False)

    def validate_end_date(self, value):
        return _not_too_far(value)


class TerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DeductionSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(**POSITIVE)
    kind = serializers.ChoiceField(choices=DEDUCTION_KINDS, default="other")


class DepositReturnSerializer(serializers.Serializer):
    deductions = DeductionSerializer(many=True, required=False, default=list)

    def validate_deductions(self, value):
        if len(value) > 50:
            raise serializers.ValidationError("At most 50 deductions.")
        return value


class PaySerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **POSITIVE, required=False, help_text="Default: the invoice's balance."
    )
    currency = serializers.RegexField(**CURRENCY, required=False)


class AutopaySerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class RefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**POSITIVE)
    destination = serializers.ChoiceField(choices=RefundDestination.choices)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SimulatePaymentSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OUTCOMES, default="succeeded")


class SimulateCardSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["save_card", "fail_next_charge"])
    decline_code = serializers.RegexField(
        r"^[a-z_]{1,64}$", required=False, default="insufficient_funds",
        help_text="Stripe's decline code; `stolen_card` is a hard decline (never retried).",
    )  # fmt: skip


class RollQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")
