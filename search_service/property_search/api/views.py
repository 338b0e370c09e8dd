"""Public search endpoints (anonymous callers welcome; the gateway still signs): decode
the query parameters, call one read, encode (docs/architecture/layout.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.api import validated_query
from rentezy_common.openapi import errors

from ..search import property_search
from ..suggest import suggestion_list
from . import schema as doc
from .renderers import FastJSONRenderer
from .serializers import SearchParamsSerializer, SuggestParamsSerializer


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
        params = validated_query(SearchParamsSerializer, request.query_params)
        return Response(property_search(params))


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
        q = validated_query(SuggestParamsSerializer, request.query_params)["q"]
        return Response({"q": q, "suggestions": suggestion_list(q)})
