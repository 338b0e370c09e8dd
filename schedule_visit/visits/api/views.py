"""HTTP adapters: decode, call one service or selector, encode
(docs/architecture/layout.md). Calendars answer text/calendar; every error is the
platform's JSON."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.api import validated, validated_query
from rentezy_common.gateway import role_required
from rentezy_common.idempotency import idempotent
from rentezy_common.openapi import IDEMPOTENCY_KEY, errors

from .. import calendars, selectors, services
from ..errors import FeedNotFound
from ..representation import availability_representation, visit_representation
from . import schema as doc
from .filters import VisitFilter
from .serializers import (
    AvailabilitySerializer,
    CancelSerializer,
    DeclineSerializer,
    RescheduleSerializer,
    SlotQuerySerializer,
    VisitRequestSerializer,
)

CALENDAR = OpenApiResponse(
    OpenApiTypes.STR, description="An iCalendar document (RFC 5545), `text/calendar`."
)
SLOT_ERRORS = (
    "`not_a_slot` family: `in_the_past`, `inside_minimum_notice`, `beyond_horizon`, "
    "`outside_hours`, `off_grid`; or `invalid` naming the field."
)
TAKEN = "`slot_taken` (its place went to someone else), `day_full`, `not_bookable`"


class JsonErrors(BaseContentNegotiation):
    """Calendar views answer text/calendar themselves; whatever the client accepts,
    their errors are the platform's JSON (never a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=calendars.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    return response


# -- viewing hours and slots -------------------------------------------------------------
class AvailabilityView(APIView):
    """The viewing hours of a property: its landlord (or an admin) reads and replaces
    them."""

    @extend_schema(
        summary="A property's viewing hours (its landlord)",
        responses={200: doc.AvailabilitySchema, **errors(404, _404="`property_not_found`.")},
    )
    def get(self, request, property_id):
        prop = selectors.property_get_managed(property_id=property_id, actor=request.user)
        availability = selectors.availability_of(prop)
        return Response(
            availability_representation(availability, *selectors.availability_rows(prop))
        )

    @extend_schema(
        summary="Replace a property's viewing hours (its landlord)",
        description="Weekly hours and date exceptions are local wall-clock times in the "
        "property's IANA zone (from property-events); slots follow them across DST.",
        request=AvailabilitySerializer,
        responses={200: doc.AvailabilitySchema, **errors(404, _404="`property_not_found`.")},
        examples=[doc.AVAILABILITY_EXAMPLE],
    )
    def put(self, request, property_id):
        data = validated(AvailabilitySerializer, request.data)
        availability = services.availability_set(
            property_id=property_id, actor=request.user, data=data
        )
        prop = availability.property
        return Response(
            availability_representation(availability, *selectors.availability_rows(prop))
        )


class SlotsView(APIView):
    """Public: the free slots of a published property, computed from its hours."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Bookable slots of a property, local and UTC, with the places left (public)",
        parameters=[SlotQuerySerializer],
        responses={200: doc.SlotsSchema, **errors(404, _404="`property_not_found`.")},
    )
    def get(self, request, property_id):
        params = validated_query(SlotQuerySerializer, request.query_params)
        return Response(
            selectors.property_slots(
                property_id=property_id,
                first=params.get("from"),
                last=params.get("to"),
                actor=request.user,
            )
        )


# -- visits ------------------------------------------------------------------------------
class VisitListView(ListAPIView):
    """GET: the caller's visits (a landlord's: their properties'). POST: a tenant asks
    for a slot."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = VisitFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [role_required("tenant")()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.visit_list_visible(actor=self.request.user)

    @extend_schema(
        summary="The caller's visits, soonest first (a landlord's: their properties')",
        responses={200: doc.VisitSchema(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([visit_representation(v) for v in page])

    @extend_schema(
        summary="Ask for a visit (tenants): pending, or confirmed where auto-confirm is on",
        request=VisitRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: doc.VisitSchema,
            **errors(
                400,
                404,
                409,
                422,
                _400=SLOT_ERRORS,
                _404="`property_not_found`.",
                _409=f"{TAKEN}, `too_many_pending`.",
            ),
        },
        examples=[doc.REQUEST_EXAMPLE],
    )
    @idempotent
    def post(self, request):
        data = validated(VisitRequestSerializer, request.data)
        visit = services.visit_request(tenant_id=request.user.id, **data)
        return Response(visit_representation(visit), status=status.HTTP_201_CREATED)


class VisitDetailView(APIView):
    @extend_schema(
        summary="A visit",
        responses={200: doc.VisitSchema, **errors(404, _404="`visit_not_found`.")},
    )
    def get(self, request, visit_id):
        visit = selectors.visit_get_visible(visit_id=visit_id, actor=request.user)
        return Response(visit_representation(visit))


class VisitConfirmView(APIView):
    permission_classes = [role_required("landlord", "admin")]

    @extend_schema(
        summary="Confirm a pending visit (the landlord)",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.VisitSchema, **errors(404, 409, 422, _409="`illegal_transition`.")},
    )
    @idempotent
    def post(self, request, visit_id):
        visit = services.visit_confirm(visit_id=visit_id, actor=request.user)
        return Response(visit_representation(visit))


class VisitDeclineView(APIView):
    permission_classes = [role_required("landlord", "admin")]

    @extend_schema(
        summary="Decline a pending visit (the landlord)",
        request=DeclineSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.VisitSchema, **errors(404, 409, 422, _409="`illegal_transition`.")},
    )
    @idempotent
    def post(self, request, visit_id):
        reason = validated(DeclineSerializer, request.data)["reason"]
        visit = services.visit_decline(visit_id=visit_id, actor=request.user, reason=reason)
        return Response(visit_representation(visit))


class VisitCancelView(APIView):
    @extend_schema(
        summary="Cancel a visit with a reason (the tenant or the landlord)",
        request=CancelSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.VisitSchema, **errors(404, 409, 422, _409="`illegal_transition`.")},
    )
    @idempotent
    def post(self, request, visit_id):
        reason = validated(CancelSerializer, request.data)["reason"]
        visit = services.visit_cancel(visit_id=visit_id, actor=request.user, reason=reason)
        return Response(visit_representation(visit))


class VisitRescheduleView(APIView):
    @extend_schema(
        summary="Move a visit to another slot (the same visit, the next calendar SEQUENCE)",
        request=RescheduleSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: doc.VisitSchema,
            **errors(
                400,
                404,
                409,
                422,
                _400=SLOT_ERRORS,
                _409=f"{TAKEN}, `too_many_pending`, `illegal_transition`.",
            ),
        },
    )
    @idempotent
    def post(self, request, visit_id):
        start = validated(RescheduleSerializer, request.data)["start"]
        visit = services.visit_reschedule(visit_id=visit_id, actor=request.user, start=start)
        return Response(visit_representation(visit))


# -- calendars ---------------------------------------------------------------------------
class VisitCalendarView(APIView):
    content_negotiation_class = JsonErrors

    @extend_schema(
        summary="A visit as an iCalendar file (.ics)",
        responses={(200, "text/calendar"): CALENDAR, **errors(404, _404="`visit_not_found`.")},
    )
    def get(self, request, visit_id):
        visit = selectors.visit_get_visible(visit_id=visit_id, actor=request.user)
        return calendar_response(calendars.visit_ics(visit), f"visit-{visit.id}.ics")


class CalendarFeedView(APIView):
    """The caller's private feed URL: made, or replaced (the old URL stops working)."""

    @extend_schema(
        summary="Make or rotate the caller's private calendar feed URL",
        request=None,
        responses={200: doc.FeedSchema},
    )
    def post(self, request):
        token = services.feed_rotate(actor=request.user)
        url = f"{settings.PUBLIC_BASE_URL}/api/visits/feeds/{token}.ics"
        return Response({"url": url, "token": token})


class FeedView(APIView):
    """Public by its secret token (calendar apps cannot log in); the token never reaches
    an access log (rentezy_common.logs.redact_path)."""

    permission_classes = [AllowAny]
    content_negotiation_class = JsonErrors

    @extend_schema(
        summary="A user's private calendar feed (public by its secret token)",
        responses={(200, "text/calendar"): CALENDAR, **errors(404, _404="`feed_not_found`.")},
    )
    def get(self, request, token):
        feed = selectors.feed_get(token_hash=services.feed_token_hash(token))
        if feed is None:
            raise FeedNotFound()
        visits = selectors.feed_visits(feed, timezone.now())
        return calendar_response(calendars.feed_ics(visits), "visits.ics")
