"""Properties, their room types and photos.

Every change goes through `properties.services`, which locks the property row, applies
the change and publishes the full representation (`properties.representation`) in one
transaction. Ranges that are cheap to check are also CHECK constraints, so a bug in
validation cannot store a negative price or a latitude of 91.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from .choices import PropertyStatus, PropertyType

# Upper bounds shared by the API's validation and the database's CHECKs.
PRICE_MAX_DIGITS = 12  # up to 9,999,999,999.99: above any monthly rent in any currency
PRICE_DECIMAL_PLACES = 2
MAX_BEDROOMS = 50
MAX_BATHROOMS = 50
MAX_AREA_SQFT = 1_000_000
MAX_ROOM_UNITS = 10_000


class Property(models.Model):
    """A listing owned by one landlord (`owner_id`, the auth service's user id).

    `latitude`/`longitude` and `monthly_price` may be empty while a draft is written;
    publishing requires them (a CHECK enforces it too). Deleting is soft: the row stays
    with status `deleted` so the last representation can still be rebuilt and ids never
    reused.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_id = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=16, choices=PropertyStatus.choices, default=PropertyStatus.DRAFT
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    property_type = models.CharField(max_length=16, choices=PropertyType.choices)

    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True, default="")
    locality = models.CharField(max_length=120, blank=True, default="")
    city = models.CharField(max_length=120)
    state = models.CharField(max_length=120, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2

    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The property's IANA time zone: visits, rent due dates and reminders happen in it.
    # Set by the landlord, or derived from the location while they have not set one
    # (properties.timezones); "" for a draft with neither.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    time_zone_explicit = models.BooleanField(default=False)

    currency = models.CharField(max_length=3)  # ISO 4217
    monthly_price = models.DecimalField(
        max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES, null=True, blank=True
    )
    deposit = models.DecimalField(
        max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES, default=0
    )
    bedrooms = models.PositiveSmallIntegerField(default=0)
    bathrooms = models.PositiveSmallIntegerField(default=0)
    area_sqft = models.PositiveIntegerField(null=True, blank=True)
    furnished = models.BooleanField(default=False)
    amenities = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    house_rules = models.TextField(blank=True, default="")
    available_from = models.DateField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "properties"
        indexes = [
            models.Index(fields=["status", "-created_at"], name="property_status_created_idx"),
            models.Index(fields=["owner_id", "-created_at"], name="property_owner_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PropertyStatus.values), name="property_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(property_type__in=PropertyType.values), name="property_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="property_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="property_longitude_range",
            ),
            # A location is a pair: both or neither.
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="property_location_pair",
            ),
            models.CheckConstraint(
                condition=Q(monthly_price__isnull=True) | Q(monthly_price__gt=0),
                name="property_price_positive",
            ),
            models.CheckConstraint(condition=Q(deposit__gte=0), name="property_deposit_nonneg"),
            models.CheckConstraint(
                condition=Q(bedrooms__lte=MAX_BEDROOMS) & Q(bathrooms__lte=MAX_BATHROOMS),
                name="property_rooms_range",
            ),
            models.CheckConstraint(
                condition=Q(area_sqft__isnull=True)
                | Q(area_sqft__gt=0, area_sqft__lte=MAX_AREA_SQFT),
                name="property_area_range",
            ),
            models.CheckConstraint(
                condition=~Q(status=PropertyStatus.PUBLISHED)
                | Q(latitude__isnull=False, monthly_price__isnull=False),
                name="property_published_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=PropertyStatus.DELETED) | Q(deleted_at__isnull=False),
                name="property_deleted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.id})"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Room(models.Model):
    """A room type of a property: what tenants book, `total_units` of them.

    `deposit` empty means "the property's deposit", so changing the property's deposit
    moves every room that did not set its own. Prices are in the property's currency.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=120)
    total_units = models.PositiveIntegerField()
    monthly_price = models.DecimalField(
        max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES
    )
    deposit = models.DecimalField(
        max_digits=PRICE_MAX_DIGITS, decimal_places=PRICE_DECIMAL_PLACES, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["property", "name"], name="room_name_unique"),
            models.CheckConstraint(
                condition=Q(total_units__gte=1, total_units__lte=MAX_ROOM_UNITS),
                name="room_units_range",
            ),
            models.CheckConstraint(condition=Q(monthly_price__gt=0), name="room_price_positive"),
            models.CheckConstraint(
                condition=Q(deposit__isnull=True) | Q(deposit__gte=0), name="room_deposit_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.total_units} units)"


class Photo(models.Model):
    """A photo of a property, stored through Django's storage API under
    `<property id>/<photo id>.<ext>`. Positions are 0..n-1 per property and exactly one
    photo (if any) is the cover."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(max_length=200)
    content_type = models.CharField(max_length=32)
    size_bytes = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveIntegerField()
    is_cover = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            # Deferred: a reorder renumbers several rows in one transaction.
            models.UniqueConstraint(
                fields=["property", "position"],
                name="photo_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(
                fields=["property"], condition=Q(is_cover=True), name="photo_one_cover"
            ),
            models.UniqueConstraint(fields=["file"], name="photo_file_unique"),
        ]

    def __str__(self) -> str:
        return self.file.name
