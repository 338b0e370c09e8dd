"""The API's answers, for the OpenAPI document only (docs/architecture/api.md).

The views answer with the dicts `property_search.search` and `.suggest` build; these serializers
describe them field for field and never build a response. The query parameters are
the views' own serializers (api/serializers.py); `CommaSeparatedField` is described
here as the comma-separated string it reads.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from rentezy_common.search.schema import PROPERTY_TYPES


class CommaSeparatedFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "property_search.api.serializers.CommaSeparatedField"

    def map_serializer_field(self, auto_schema, direction):
        choices = self.target.choices
        listed = f" of: {', '.join(choices)}" if choices else ""
        return {
            "type": "string",
            "description": f"Comma-separated values{listed} (at most 20).",
        }


class LocationSchema(serializers.Serializer):
    lat = serializers.FloatField()
    lon = serializers.FloatField()

    class Meta:
        ref_name = "SearchLocation"


class HighlightSchema(serializers.Serializer):
    title = serializers.ListField(child=serializers.CharField(), required=False)
    description = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        ref_name = "SearchHighlight"


class SearchResultSchema(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    locality = serializers.CharField(allow_null=True)
    monthly_price = serializers.CharField(allow_null=True, help_text="A decimal string.")
    currency = serializers.CharField(allow_null=True)
    bedrooms = serializers.IntegerField(allow_null=True)
    bathrooms = serializers.IntegerField(allow_null=True)
    property_type = serializers.ChoiceField(choices=PROPERTY_TYPES, allow_null=True)
    furnished = serializers.BooleanField(allow_null=True)
    amenities = serializers.ListField(child=serializers.CharField())
    available_from = serializers.DateField(allow_null=True)
    available_units = serializers.IntegerField(allow_null=True)
    cover_photo_url = serializers.CharField(allow_null=True)
    location = LocationSchema(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    distance_km = serializers.FloatField(required=False, help_text="With lat and lon.")
    highlight = HighlightSchema(help_text="Matches of `q` in <mark>, HTML-escaped.")

    class Meta:
        ref_name = "SearchResult"


class FacetValueSchema(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()

    class Meta:
        ref_name = "FacetValue"


class PriceParamsSchema(serializers.Serializer):
    price_min = serializers.CharField()
    price_max = serializers.CharField(required=False)

    class Meta:
        ref_name = "PriceRangeParams"


class PriceRangeSchema(serializers.Serializer):
    value = serializers.CharField()
    to = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()
    params = PriceParamsSchema(help_text="The parameters that select exactly this range.")

    class Meta:
        ref_name = "PriceRangeFacet"


# `from` is a Python keyword: the field is added by name.
PriceRangeSchema._declared_fields["from"] = serializers.IntegerField()


class FacetsSchema(serializers.Serializer):
    amenities = FacetValueSchema(many=True)
    property_types = FacetValueSchema(many=True)
    cities = FacetValueSchema(many=True)
    price_ranges = PriceRangeSchema(many=True)

    class Meta:
        ref_name = "SearchFacets"


class SearchPageSchema(serializers.Serializer):
    count = serializers.IntegerField(help_text="Exact.")
    page = serializers.IntegerField(allow_null=True, help_text="Null on cursor requests.")
    page_size = serializers.IntegerField()
    results = SearchResultSchema(many=True)
    facets = FacetsSchema()
    next_cursor = serializers.CharField(allow_null=True, help_text="Present when more exist.")

    class Meta:
        ref_name = "SearchPage"


class SuggestionSchema(serializers.Serializer):
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=["city", "locality", "title"])
    id = serializers.CharField(required=False, help_text="The listing, for titles.")

    class Meta:
        ref_name = "Suggestion"


class SuggestionsSchema(serializers.Serializer):
    q = serializers.CharField()
    suggestions = SuggestionSchema(many=True)

    class Meta:
        ref_name = "Suggestions"


SEARCH_EXAMPLE = OpenApiExample(
    "two bedrooms near a point",
    response_only=True,
    value={
        "count": 1,
        "page": 1,
        "page_size": 20,
        "results": [
            {
                "id": "0b8e8a8e-6f0a-4b8e-9f59-3c1f4e0f7a11",
                "title": "Sunny 2BHK near the lake",
                "city": "Bengaluru",
                "locality": "Bellandur",
                "monthly_price": "25000.00",
                "currency": "INR",
                "bedrooms": 2,
                "bathrooms": 2,
                "property_type": "apartment",
                "furnished": True,
                "amenities": ["parking", "wifi"],
                "available_from": None,
                "available_units": 3,
                "cover_photo_url": None,
                "location": {"lat": 12.93, "lon": 77.68},
                "published_at": "2025-01-05T10:00:00.000000+00:00",
                "distance_km": 1.2,
                "highlight": {"title": ["Sunny 2BHK near the <mark>lake</mark>"]},
            }
        ],
        "facets": {"amenities": [], "property_types": [], "cities": [], "price_ranges": []},
        "next_cursor": None,
    },
)
