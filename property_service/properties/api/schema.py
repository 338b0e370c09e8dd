"""The API's answers, for the OpenAPI document only (docs/architecture/api.md).

The views answer with `properties.representation` (the `property-events` snapshot);
these serializers describe those dicts field for field and never build a response.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from ..choices import AMENITY_CODES, PropertyStatus, PropertyType

MONEY = {"help_text": "A decimal string with two places."}


class AddressSchema(serializers.Serializer):
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    locality = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2.")

    class Meta:
        ref_name = "Address"


class LocationSchema(serializers.Serializer):
    lat = serializers.FloatField()
    lon = serializers.FloatField()

    class Meta:
        ref_name = "Location"


class RoomSchema(serializers.Serializer):
    """`room_representation`."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    total_units = serializers.IntegerField()
    monthly_price = serializers.CharField(**MONEY)
    deposit = serializers.CharField(**MONEY)
    deposit_inherited = serializers.BooleanField(
        help_text="True when the room has no deposit of its own (the property's applies)."
    )
    currency = serializers.CharField(help_text="The property's (ISO 4217).")

    class Meta:
        ref_name = "Room"


class PhotoSchema(serializers.Serializer):
    """`photo_representation`."""

    id = serializers.UUIDField()
    url = serializers.CharField()
    position = serializers.IntegerField()
    is_cover = serializers.BooleanField()
    content_type = serializers.ChoiceField(choices=["image/jpeg", "image/png", "image/webp"])
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    size_bytes = serializers.IntegerField()

    class Meta:
        ref_name = "Photo"


class PropertySchema(serializers.Serializer):
    """`property_representation`: the snapshot of docs/contracts/property-events.md."""

    id = serializers.UUIDField()
    owner_id = serializers.CharField()
    status = serializers.ChoiceField(choices=PropertyStatus.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    property_type = serializers.ChoiceField(choices=PropertyType.choices)
    address = AddressSchema()
    location = LocationSchema(allow_null=True)
    time_zone = serializers.CharField(
        allow_null=True,
        help_text="IANA time zone: the landlord's, else the zone of the location; null for "
        "a draft with neither.",
    )
    currency = serializers.CharField()
    monthly_price = serializers.CharField(allow_null=True, **MONEY)
    deposit = serializers.CharField(**MONEY)
    bedrooms = serializers.IntegerField()
    bathrooms = serializers.IntegerField()
    area_sqft = serializers.IntegerField(allow_null=True)
    furnished = serializers.BooleanField()
    amenities = serializers.ListField(child=serializers.ChoiceField(choices=AMENITY_CODES))
    house_rules = serializers.CharField()
    available_from = serializers.DateField(allow_null=True)
    rooms = RoomSchema(many=True)
    photos = PhotoSchema(many=True)
    cover_photo_url = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Property"


class PhotoUploadSchema(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP image.")

    class Meta:
        ref_name = "PhotoUpload"


PROPERTY_CREATE_EXAMPLE = OpenApiExample(
    "a flat",
    request_only=True,
    value={
        "title": "Sunny 2BHK near the lake",
        "property_type": "apartment",
        "address": {"line1": "12 Lake Road", "city": "Bengaluru", "country": "IN"},
        "location": {"lat": 12.93, "lon": 77.68},
        "currency": "INR",
        "monthly_price": "25000.00",
        "deposit": "50000.00",
        "bedrooms": 2,
        "bathrooms": 2,
        "furnished": True,
        "amenities": ["wifi", "parking"],
    },
)
ROOM_CREATE_EXAMPLE = OpenApiExample(
    "a room type",
    request_only=True,
    value={"name": "Double room", "total_units": 4, "monthly_price": "12000.00"},
)
