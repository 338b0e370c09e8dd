"""Enumerations shared by the models, the serializers and the OpenAPI document."""

from __future__ import annotations

from django.db import models


class VisitStatus(models.TextChoices):
    PENDING = "PENDING"  # asked for; the landlord has not answered
    CONFIRMED = "CONFIRMED"
    DECLINED = "DECLINED"  # the landlord said no
    CANCELLED = "CANCELLED"  # by the tenant, the landlord, an operator, or the property going


class CapacityScope(models.TextChoices):
    """What a `Capacity` row counts (visits/models.py)."""

    SLOT = "slot"  # visits in one open-house slot (key: its start, UTC)
    DAY = "day"  # visits on one local day of a property (key: the date)
    PENDING = "pending"  # pending requests of one tenant for one property (key: tenant id)


class Weekday(models.IntegerChoices):
    """ISO 8601 weekdays."""

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7
