"""Input serializers. Output is the representation (`properties.representation`), never a
serializer, so the API and the events cannot drift.

Input mirrors the representation's shape (`address` and `location` objects, `monthly_price` as
a decimal string or number). Unknown keys are refused rather than ignored, so a typo
(`lattitude`) or an attempt to write a read-only field (`status`) is a 400 naming it
instead of a silent no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from .. import timezones
from ..choices import AMENITIES, COUNTRIES, CURRENCIES, PropertyType
from ..models import (
    MAX_AREA_SQFT,
    MAX_BATHROOMS,
    MAX_BEDROOMS,
    MAX_ROOM_UNITS,
    PRICE_DECIMAL_PLACES,
    PRICE_MAX_DIGITS,
)

# Representation fields that exist but are not written through this serializer.
PROPERTY_READ_ONLY = {
    "id",
    "owner_id",
    "status",
    "rooms",
    "photos",
    "cover_photo_url",
    "created_at",
    "updated_at",
    "published_at",
}
ROOM_READ_ONLY = {"id", "currency", "deposit_inherited"}


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not declare (400 naming each)."""

    read_only_keys: set[str] = set()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = [key for key in data if key not in self.fields]
            if unknown:
                raise serializers.ValidationError(
                    {
                        str(key): [
                            "This field is read-only."
                            if key in self.read_only_keys
                            else "Unknown field."
                        ]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)


class CoordinateField(serializers.FloatField):
    """A number (JSON booleans are not coordinates, although float(True) == 1.0)."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


def money(*, positive: bool, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=PRICE_MAX_DIGITS,
        decimal_places=PRICE_DECIMAL_PLACES,
        min_value=Decimal("0.01") if positive else Decimal("0"),
        **kwargs,
    )


class AddressSerializer(StrictSerializer):
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    locality = serializers.CharField(max_length=120, required=False, allow_blank=True)
    city = serializers.CharField(max_length=120)
    state = serializers.CharField(max_length=120, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, min_length=2)

    def validate_country(self, value: str) -> str:
        code = value.upper()
        if code not in COUNTRIES:
            raise serializers.ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 code.")
        return code


class LocationSerializer(StrictSerializer):
    lat = CoordinateField(min_value=-90, max_value=90)
    lon = CoordinateField(min_value=-180, max_value=180)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A location is a pair, also in a PATCH (where DRF would skip missing fields).
        missing = {
            name: ["This field is required."] for name in ("lat", "lon") if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


_ADDRESS_FIELDS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "locality": "locality",
    "city": "city",
    "state": "state",
    "postal_code": "postal_code",
    "country": "country",
}


class PropertyInputSerializer(StrictSerializer):
    """POST (all required fields) and PATCH (`partial=True`) of a property. The validated
    data are Property field names (only what was sent, for a PATCH): the `address` and
    `location` objects flattened into their columns."""

    read_only_keys = PROPERTY_READ_ONLY

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    property_type = serializers.ChoiceField(choices=PropertyType.choices)
    address = AddressSerializer()
    location = LocationSerializer(required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, min_length=3)
    monthly_price = money(positive=True, required=False, allow_null=True)
    deposit = money(positive=False, required=False)
    bedrooms = serializers.IntegerField(min_value=0, max_value=MAX_BEDROOMS, required=False)
    bathrooms = serializers.IntegerField(min_value=0, max_value=MAX_BATHROOMS, required=False)
    area_sqft = serializers.IntegerField(
        min_value=1, max_value=MAX_AREA_SQFT, required=False, allow_null=True
    )
    furnished = serializers.BooleanField(required=False)
    amenities = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=100, required=False
    )
    house_rules = serializers.CharField(max_length=5_000, required=False, allow_blank=True)
    available_from = serializers.DateField(required=False, allow_null=True)
    # IANA name; left out (or blank) it follows the location (properties.timezones).
    time_zone = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def validate_time_zone(self, value: str) -> str:
        if value and not timezones.is_zone(value):
            raise serializers.ValidationError(f"{value!r} is not an IANA time zone.")
        return value

    def validate_currency(self, value: str) -> str:
        code = value.upper()
        if code not in CURRENCIES:
            raise serializers.ValidationError(f"{value!r} is not an ISO 4217 currency code.")
        return code

    def validate_amenities(self, value: list[str]) -> list[str]:
        unknown = sorted({code for code in value if code not in AMENITIES})
        if unknown:
            raise serializers.ValidationError(
                f"Unknown amenity code(s): {', '.join(unknown)}. "
                f"Known codes: {', '.join(sorted(AMENITIES))}."
            )
        return sorted(set(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data = dict(attrs)
        fields: dict[str, Any] = {}
        address = data.pop("address", None)
        if address is not None:
            for key, value in address.items():
                fields[_ADDRESS_FIELDS[key]] = value
        if "location" in data:
            location = data.pop("location")
            fields["latitude"] = location["lat"] if location else None
            fields["longitude"] = location["lon"] if location else None
        fields.update(data)
        return fields


class RoomInputSerializer(StrictSerializer):
    """POST and PATCH (`partial=True`) of a room type. `deposit: null` (or leaving it out
    on create) means "the property's deposit"."""

    read_only_keys = ROOM_READ_ONLY

    name = serializers.CharField(max_length=120)
    total_units = serializers.IntegerField(min_value=1, max_value=MAX_ROOM_UNITS)
    monthly_price = money(positive=True)
    deposit = money(positive=False, required=False, allow_null=True)


class PhotoUpdateSerializer(StrictSerializer):
    read_only_keys = {"id", "url", "content_type", "width", "height", "size_bytes"}

    position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)
    is_cover = serializers.BooleanField(required=False)
