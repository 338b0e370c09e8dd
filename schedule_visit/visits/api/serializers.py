"""Request validation: visit requests and moves, answers, slot windows, viewing hours."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import policies
from ..choices import Weekday


@extend_schema_field(OpenApiTypes.DATETIME)
class OffsetDateTimeField(serializers.Field):
    """An ISO 8601 date and time with its UTC offset (`2027-03-14T18:00:00-04:00`, or
    `Z`): a time without one is ambiguous, so it is refused rather than guessed."""

    default_error_messages = {
        "invalid": "An ISO 8601 date and time with its UTC offset, e.g. 2027-03-14T18:00-04:00.",
        "naive": "The time needs its UTC offset (e.g. +05:30 or Z).",
    }

    def to_internal_value(self, data) -> datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        try:
            value = datetime.fromisoformat(data.strip())
        except ValueError:
            self.fail("invalid")
        if value.tzinfo is None or value.utcoffset() is None:
            self.fail("naive")
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            self.fail("invalid")

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class VisitRequestSerializer(serializers.Serializer):
    property_id = serializers.UUIDField()
    start = OffsetDateTimeField(help_text="A slot's start, with its UTC offset (`slots`' `start`).")


class RescheduleSerializer(serializers.Serializer):
    start = OffsetDateTimeField(help_text="The new slot's start, with its UTC offset.")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Shown to the other side.")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class SlotQuerySerializer(serializers.Serializer):
    """`from` and `to`: local dates of the property, both included (default: from today,
    14 days)."""

    def get_fields(self):
        return {
            "from": serializers.DateField(required=False, help_text="First local date."),
            "to": serializers.DateField(required=False, help_text="Last local date (included)."),
        }

    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        today = datetime.now(UTC).date()
        for name in ("from", "to"):
            value = attrs.get(name)
            if value is not None and not (
                today - timedelta(days=366) <= value <= today + timedelta(days=732)
            ):
                raise serializers.ValidationError(
                    {name: ["Within a year before and two after today."]}
                )
        if first and last:
            if last < first:
                raise serializers.ValidationError({"to": ["Before `from`."]})
            if last - first >= timedelta(days=settings.VISITS_MAX_SLOT_DAYS):
                raise serializers.ValidationError(
                    {"to": [f"At most {settings.VISITS_MAX_SLOT_DAYS} days from `from`."]}
                )
        return attrs


class WeeklyRuleSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(
        choices=Weekday.choices, help_text="ISO 8601: 1 = Monday ... 7 = Sunday."
    )
    start = serializers.TimeField(help_text="Local wall-clock time, e.g. 18:00.")
    end = serializers.TimeField(help_text="Local wall-clock time, after `start`.")
    capacity = serializers.IntegerField(
        min_value=1, max_value=100, default=1, help_text="1: private viewings; N: open house."
    )

    def validate(self, attrs):
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": ["After `start`."]})
        return attrs


class DateExceptionSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="A local date of the property.")
    closed = serializers.BooleanField(
        default=False, help_text="No weekly hours that day (extra hours may still be added)."
    )
    start = serializers.TimeField(required=False, allow_null=True, default=None)
    end = serializers.TimeField(required=False, allow_null=True, default=None)
    capacity = serializers.IntegerField(min_value=1, max_value=100, default=1)

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if attrs["closed"]:
            if start is not None or end is not None:
                raise serializers.ValidationError(
                    {"closed": ["A closed date has no hours; add them as another exception."]}
                )
        elif start is None or end is None:
            raise serializers.ValidationError({"start": ["Extra hours need `start` and `end`."]})
        elif start >= end:
            raise serializers.ValidationError({"end": ["After `start`."]})
        return attrs


class AvailabilitySerializer(serializers.Serializer):
    visit_minutes = serializers.IntegerField(min_value=5, max_value=480, default=30)
    buffer_before_minutes = serializers.IntegerField(min_value=0, max_value=240, default=0)
    buffer_after_minutes = serializers.IntegerField(min_value=0, max_value=240, default=0)
    min_notice_minutes = serializers.IntegerField(min_value=0, max_value=43_200, default=120)
    horizon_days = serializers.IntegerField(min_value=1, max_value=366, default=30)
    daily_cap = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, allow_null=True, default=None
    )
    auto_confirm = serializers.BooleanField(default=False)
    weekly = serializers.ListField(child=WeeklyRuleSerializer(), max_length=100, default=list)
    exceptions = serializers.ListField(
        child=DateExceptionSerializer(), max_length=1000, default=list
    )

    def validate(self, attrs):
        weekly: dict[int, list[policies.Window]] = defaultdict(list)
        for rule in attrs["weekly"]:
            weekly[rule["weekday"]].append(policies.Window(rule["start"], rule["end"]))
        for weekday, windows in weekly.items():
            if policies.overlapping(windows):
                raise serializers.ValidationError(
                    {"weekly": [f"Hours of weekday {weekday} overlap."]}
                )
        closed = {e["date"] for e in attrs["exceptions"] if e["closed"]}
        extra: dict = defaultdict(list)
        for exception in attrs["exceptions"]:
            if not exception["closed"]:
                extra[exception["date"]].append(
                    policies.Window(exception["start"], exception["end"])
                )
        for day, windows in extra.items():
            same_day = [] if day in closed else weekly.get(day.isoweekday(), [])
            if policies.overlapping([*windows, *same_day]):
                raise serializers.ValidationError(
                    {"exceptions": [f"Extra hours on {day} overlap that day's hours."]}
                )
        return attrs
