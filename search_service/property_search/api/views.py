"""Public search endpoints (anonymous callers welcome; the gateway still signs)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.errors import ApiError
from rentezy_common.openapi import errors

from .. import selectors
from . import schema as doc
from .renderers import FastJSONRenderer
from .serializers import SearchParamsSerializer, SuggestParamsSerializer


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise ApiError(
            "Invalid query parameters.", code="invalid_parameter", details=serializer.errors
        )
    return serializer.validated_data


class PropertySearchView(APIView):
    """`GET /api/search/properties`: full-text, geo, filters, facets, sorting, paging."""

    permission_classes = [AllowAny]
    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        summary="Search published listings: text, place, filters, facets, sort, pages",
        parameters=[SearchParamsSerializer],
        responses={200: doc.SearchPageSchema, **errors(503, _503="`search_unavailable`.")},
        examples=[doc.SEARCH_EXAMPLE],
    )
    def get(self, request):
        return Response(selectors.search_properties(_validated(SearchParamsSerializer, request)))


class SuggestView(APIView):
    """`GET /api/search/suggest?q=`: autocomplete on cities, localities and titles."""

    permission_classes = [AllowAny]
    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        summary="Autocomplete: cities, localities, listing titles",
        parameters=[SuggestParamsSerializer],
        responses={200: doc.SuggestionsSchema, **errors(503, _503="`search_unavailable`.")},
    )
    def get(self, request):
        q = _validated(SuggestParamsSerializer, request)["q"]
        return Response({"q": q, "suggestions": selectors.suggest(q)})
