"""Query parameters of the search endpoints: parsed and validated here, so a bad value
is a 400 naming the parameter and never reaches Elasticsearch."""

from __future__ import annotations

from rest_framework import serializers

from rentezy_common.search.schema import AMENITIES, PROPERTY_TYPES

from ..cursor import Cursor, InvalidCursor
from ..query import MAX_PAGE_SIZE, MAX_RESULT_WINDOW, SORTS

MAX_QUERY_LENGTH = 200
MAX_LIST_ITEMS = 20


class CommaSeparatedField(serializers.Field):
    """`a,b,c` -> ["a", "b", "c"] (blank items dropped, duplicates removed, order kept);
    with `choices`, every item must be one of them."""

    def __init__(self, *, choices=None, max_length=100, **kwargs):
        self.choices = tuple(choices) if choices is not None else None
        self.item_max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail_invalid("Expected a comma-separated list.")
        items = list(dict.fromkeys(item.strip() for item in data.split(",") if item.strip()))
        if not items:
            self.fail_invalid("Give at least one value.")
        if len(items) > MAX_LIST_ITEMS:
            self.fail_invalid(f"At most {MAX_LIST_ITEMS} values.")
        for item in items:
            if len(item) > self.item_max_length:
                self.fail_invalid(f"Values are at most {self.item_max_length} characters.")
            if self.choices is not None and item not in self.choices:
                self.fail_invalid(
                    f"Unknown value {item!r}; expected any of: {', '.join(self.choices)}."
                )
        return items

    def fail_invalid(self, message):
        raise serializers.ValidationError(message)

    def to_representation(self, value):
        return ",".join(value)


class TrueFalseField(serializers.ChoiceField):
    """Exactly `true` or `false` (DRF's BooleanField reads a missing query parameter as
    false, and accepts a dozen spellings)."""

    def __init__(self, **kwargs):
        super().__init__(choices=["true", "false"], **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data) == "true"


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUERY_LENGTH)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    radius_km = serializers.FloatField(required=False, min_value=0.001, max_value=20_000)
    price_min = serializers.DecimalField(
        required=False, max_digits=14, decimal_places=2, min_value=0
    )
    price_max = serializers.DecimalField(
        required=False, max_digits=14, decimal_places=2, min_value=0
    )
    bedrooms_min = serializers.IntegerField(required=False, min_value=0, max_value=100)
    amenities = CommaSeparatedField(required=False, choices=AMENITIES)
    property_type = CommaSeparatedField(required=False, choices=PROPERTY_TYPES)
    city = CommaSeparatedField(required=False)
    furnished = TrueFalseField(required=False)
    available = TrueFalseField(required=False)
    move_in = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    sort = serializers.ChoiceField(required=False, choices=list(SORTS), default="relevance")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=20
    )
    cursor = serializers.CharField(required=False, max_length=2000)

    def validate(self, attrs):
        errors: dict[str, list[str]] = {}
        has_lat, has_lon = "lat" in attrs, "lon" in attrs
        if has_lat and not has_lon:
            errors["lon"] = ["Required together with lat."]
        if has_lon and not has_lat:
            errors["lat"] = ["Required together with lon."]
        point = has_lat and has_lon
        if "radius_km" in attrs and not point:
            errors["radius_km"] = ["Needs a point: give lat and lon too."]
        if attrs["sort"] == "distance" and not point:
            errors["sort"] = ["Sorting by distance needs lat and lon."]
        low, high = attrs.get("price_min"), attrs.get("price_max")
        if low is not None and high is not None and low > high:
            errors["price_min"] = ["Must not exceed price_max."]
        if "cursor" in attrs:
            if "page" in attrs:
                errors["page"] = ["Give either page or cursor, not both."]
            try:
                attrs["cursor"] = Cursor.decode(attrs["cursor"])
            except InvalidCursor as exc:
                errors["cursor"] = [str(exc)]
        else:
            page = attrs.setdefault("page", 1)
            if page * attrs["page_size"] > MAX_RESULT_WINDOW:
                errors["page"] = [
                    f"Pages reach only the first {MAX_RESULT_WINDOW} results; "
                    "follow next_cursor to go deeper."
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SuggestParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, trim_whitespace=True)
