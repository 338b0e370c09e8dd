"""Properties (as property-events tell them), viewing hours, visits, the capacity rows
and the calendar feeds.

Viewing hours are local wall-clock times plus the property's IANA zone, never UTC
instants: a rule stored as an instant would move by an hour at each DST change. Slots
are computed from them on the fly (visits/policies.py); nothing stores a slot.

No double booking is decided by PostgreSQL, never by a read before a write:

- `visit_no_overlap`, an exclusion constraint (GiST, btree_gist for the equality
  operators): two active visits of one property whose blocked ranges (the visit and its
  buffers) overlap must belong to the same open-house slot (same `slot_key`). A private
  visit's key is its own id, so it overlaps nothing; open-house visitors share theirs.
- `Capacity`: one row per open-house slot, per day (the daily cap) and per tenant and
  property (the pending cap), taken by one conditional upsert
  (`taken + 1 ... WHERE taken < capacity`) and held between 0 and `capacity` by a
  CHECK, whatever the code above it does.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from .choices import CapacityScope, VisitStatus, Weekday

ACTIVE = (VisitStatus.PENDING, VisitStatus.CONFIRMED)


class Property(models.Model):
    """The newest `property-events` snapshot applied: its version guards replays."""

    id = models.UUIDField(primary_key=True)
    owner_id = models.CharField(max_length=64, db_index=True)
    title = models.CharField(max_length=200, blank=True, default="")
    address = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=16)
    # IANA zone; "" when the snapshot had none (a draft without a location): UTC then.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    version = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.title or self.id} ({self.status}, v{self.version})"

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class Availability(models.Model):
    """A property's viewing settings; its hours are the WeeklyRule and DateException
    rows. Replaced as a whole by the landlord (PUT)."""

    property = models.OneToOneField(
        Property, on_delete=models.CASCADE, primary_key=True, related_name="availability"
    )
    visit_minutes = models.PositiveSmallIntegerField(default=30)
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=120)
    horizon_days = models.PositiveSmallIntegerField(default=30)
    daily_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    auto_confirm = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(condition=Q(visit_minutes__gte=5), name="visit_minutes_gte_5"),
        ]

    def __str__(self) -> str:
        return f"hours of {self.property_id}"


class WeeklyRule(models.Model):
    """Every `weekday`, from `start` to `end` local time: slots of `capacity` visitors."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="weekly_rules")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()
    capacity = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ("weekday", "start")
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="weekly_start_lt_end"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="weekly_capacity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"weekday {self.weekday} {self.start}-{self.end} x{self.capacity}"


class DateException(models.Model):
    """One local date that differs: `closed` (no weekly hours that day) and/or extra
    hours (`start`-`end`, `capacity`) on top of what remains."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    closed = models.BooleanField(default=False)
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ("date", "start")
        indexes = [models.Index(fields=["property", "date"], name="exception_property_date")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start__isnull=True) & Q(end__isnull=True)) | Q(start__lt=F("end")),
                name="exception_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        hours = f" {self.start}-{self.end} x{self.capacity}" if self.start else ""
        return f"{self.date}{' closed' if self.closed else ''}{hours}"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Visit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="visits")
    tenant_id = models.CharField(max_length=64)
    owner_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=VisitStatus.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The visit and its buffers: what no other slot's visit may overlap.
    blocked_from = models.DateTimeField()
    blocked_to = models.DateTimeField()
    # Visitors its slot takes (1: a private viewing; N: an open house).
    capacity = models.PositiveSmallIntegerField(default=1)
    # Same key = same open-house slot (may overlap); a private visit's key is its id.
    slot_key = models.CharField(max_length=64)
    # The local date it counts against the daily cap (in the property's zone).
    local_date = models.DateField()
    time_zone = models.CharField(max_length=64, blank=True, default="")

    # Why it ended as it did, and who ended it (tenant, landlord, admin, system).
    reason = models.CharField(max_length=500, blank=True, default="")
    ended_by = models.CharField(max_length=16, blank=True, default="")
    # RFC 5545 SEQUENCE: bumped on every change a calendar must show.
    sequence = models.PositiveIntegerField(default=0)
    # The version of its `visit-events` (bumped under the row lock with each one).
    version = models.PositiveIntegerField(default=1)
    # The start each reminder was sent for (a reschedule makes them due again).
    reminded_24h_for = models.DateTimeField(null=True, blank=True)
    reminded_1h_for = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="visit_no_overlap",
                expressions=[
                    ("property", RangeOperators.EQUAL),
                    (
                        TsTzRange("blocked_from", "blocked_to", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                    ("slot_key", RangeOperators.NOT_EQUAL),
                ],
                condition=Q(status__in=ACTIVE),
            ),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="visit_start_lt_end"),
            models.CheckConstraint(
                condition=Q(blocked_from__lte=F("start")) & Q(blocked_to__gte=F("end")),
                name="visit_blocked_covers_visit",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant_id", "-start"], name="visit_tenant_start_idx"),
            models.Index(fields=["owner_id", "-start"], name="visit_owner_start_idx"),
            models.Index(fields=["property", "start"], name="visit_property_start_idx"),
            # The reminder sweep: confirmed visits by start.
            models.Index(
                fields=["start"], condition=Q(status="CONFIRMED"), name="visit_confirmed_start_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"visit {self.id} ({self.status})"


class Capacity(models.Model):
    """Places taken of something limited: one open-house slot, one day of a property (its
    daily cap), one tenant's pending requests for a property. Taken and given back by
    single statements (visits/capacity.py); the CHECK keeps `taken` in range."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="capacities")
    scope = models.CharField(max_length=16, choices=CapacityScope.choices)
    key = models.CharField(max_length=64)
    capacity = models.PositiveIntegerField()
    taken = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "capacities"
        constraints = [
            models.UniqueConstraint(
                fields=["property", "scope", "key"], name="capacity_property_scope_key"
            ),
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(taken__lte=F("capacity")),
                name="capacity_taken_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.taken}/{self.capacity}"


class CalendarFeed(models.Model):
    """A user's private calendar feed. Only the token's SHA-256 is stored: the URL is
    shown once, when it is made or rotated."""

    user_id = models.CharField(max_length=64, primary_key=True)
    role = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.role} {self.user_id}"
