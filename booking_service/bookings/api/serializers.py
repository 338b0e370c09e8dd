"""Request validation and the booking's public shape."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from ..simulator import OUTCOMES


class BookingRequestSerializer(serializers.Serializer):
    room_id = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1)
    move_in_date = serializers.DateField()

    def validate_quantity(self, value: int) -> int:
        if value > settings.BOOKING_MAX_QUANTITY:
            raise serializers.ValidationError(
                f"At most {settings.BOOKING_MAX_QUANTITY} units in one booking."
            )
        return value

    def validate_move_in_date(self, value):
        today = timezone.localdate()
        if value < today:
            raise serializers.ValidationError("The move-in date is in the past.")
        if value > today + timedelta(days=settings.BOOKING_MAX_ADVANCE_DAYS):
            raise serializers.ValidationError(
                f"The move-in date is more than {settings.BOOKING_MAX_ADVANCE_DAYS} days ahead."
            )
        return value


class SimulatePaymentSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OUTCOMES, default="paid")


class PaymentIssueFilterSerializer(serializers.Serializer):
    resolved = serializers.BooleanField(required=False, allow_null=True, default=None)


class PaymentIssueResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000)
