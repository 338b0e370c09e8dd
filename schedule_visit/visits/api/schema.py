"""The API's answers, for the OpenAPI document only (docs/architecture/api.md).

The views answer with `visits.representation` (and `visits.calendars` for the .ics);
these serializers describe those dicts field for field and never build a response.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from ..choices import VisitStatus, Weekday

KIND = ["private", "open_house"]


class VisitSchema(serializers.Serializer):
    """`visit_representation`: also the payload of `visit-events`."""

    id = serializers.UUIDField()
    property_id = serializers.UUIDField()
    property_title = serializers.CharField()
    tenant_id = serializers.CharField()
    owner_id = serializers.CharField()
    status = serializers.ChoiceField(choices=VisitStatus.choices)
    start = serializers.DateTimeField(help_text="UTC.")
    end = serializers.DateTimeField(help_text="UTC.")
    local_start = serializers.DateTimeField(help_text="In the property's zone, with its offset.")
    local_end = serializers.DateTimeField(help_text="In the property's zone, with its offset.")
    time_zone = serializers.CharField(help_text="The property's IANA zone.")
    kind = serializers.ChoiceField(choices=KIND)
    reason = serializers.CharField(allow_null=True, help_text="Why it was declined or cancelled.")
    ended_by = serializers.CharField(
        allow_null=True, help_text="tenant, landlord, admin or system."
    )
    sequence = serializers.IntegerField(help_text="The calendar SEQUENCE (RFC 5545).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Visit"


class SlotSchema(serializers.Serializer):
    start = serializers.DateTimeField(help_text="UTC; what a request's `start` names.")
    end = serializers.DateTimeField(help_text="UTC.")
    local_start = serializers.DateTimeField(help_text="In the property's zone, with its offset.")
    local_end = serializers.DateTimeField(help_text="In the property's zone, with its offset.")
    local_date = serializers.DateField()
    kind = serializers.ChoiceField(choices=KIND)
    capacity = serializers.IntegerField()
    remaining = serializers.IntegerField(help_text="Places left (0: taken).")

    class Meta:
        ref_name = "VisitSlot"


class SlotsSchema(serializers.Serializer):
    """`selectors.property_slots`."""

    property_id = serializers.UUIDField()
    time_zone = serializers.CharField()
    # `from` is a Python keyword: the fields are declared in get_fields.
    to = serializers.DateField()
    visit_minutes = serializers.IntegerField()
    auto_confirm = serializers.BooleanField()
    slots = SlotSchema(many=True)

    def get_fields(self):
        fields = super().get_fields()
        return {"from": serializers.DateField(), **fields}

    class Meta:
        ref_name = "VisitSlots"


class _WeeklyOut(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=Weekday.choices)
    start = serializers.CharField()
    end = serializers.CharField()
    capacity = serializers.IntegerField()

    class Meta:
        ref_name = "VisitWeeklyHours"


class _ExceptionOut(serializers.Serializer):
    date = serializers.DateField()
    closed = serializers.BooleanField()
    start = serializers.CharField(allow_null=True)
    end = serializers.CharField(allow_null=True)
    capacity = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "VisitDateException"


class AvailabilitySchema(serializers.Serializer):
    """`availability_representation`."""

    property_id = serializers.UUIDField()
    time_zone = serializers.CharField()
    visit_minutes = serializers.IntegerField()
    buffer_before_minutes = serializers.IntegerField()
    buffer_after_minutes = serializers.IntegerField()
    min_notice_minutes = serializers.IntegerField()
    horizon_days = serializers.IntegerField()
    daily_cap = serializers.IntegerField(allow_null=True)
    auto_confirm = serializers.BooleanField()
    weekly = _WeeklyOut(many=True)
    exceptions = _ExceptionOut(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "VisitAvailability"


class FeedSchema(serializers.Serializer):
    url = serializers.URLField(help_text="The private feed: keep it secret; rotate if shared.")
    token = serializers.CharField()

    class Meta:
        ref_name = "VisitCalendarFeed"


AVAILABILITY_EXAMPLE = OpenApiExample(
    "weekday evenings, a Saturday open house, closed on 24 December",
    request_only=True,
    value={
        "visit_minutes": 30,
        "buffer_after_minutes": 10,
        "min_notice_minutes": 120,
        "horizon_days": 30,
        "auto_confirm": False,
        "weekly": [
            *({"weekday": d, "start": "18:00", "end": "20:00"} for d in range(1, 6)),
            {"weekday": 6, "start": "10:00", "end": "13:00", "capacity": 4},
        ],
        "exceptions": [{"date": "2026-12-24", "closed": True}],
    },
)
REQUEST_EXAMPLE = OpenApiExample(
    "a slot",
    request_only=True,
    value={"property_id": "0b8e8a8e-6f0a-4b8e-9f59-3c1f4e0f7a11", "start": "2027-03-15T18:00:00Z"},
)
