"""HTTP adapters: decode, call one service or selector, encode
(docs/architecture/layout.md). The Stripe webhook is in bookings/webhooks.py."""

from __future__ import annotations

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.api import validated
from rentezy_common.errors import NotFound
from rentezy_common.gateway import role_required
from rentezy_common.idempotency import REPLAYED_HEADER, idempotent, key_from
from rentezy_common.openapi import IDEMPOTENCY_KEY, errors

from .. import selectors, services, simulator
from ..errors import BookingNotFound
from ..representation import booking_representation, payment_issue_representation
from . import schema as doc
from .filters import BookingFilter
from .serializers import (
    BookingRequestSerializer,
    PaymentIssueFilterSerializer,
    PaymentIssueResolveSerializer,
    SimulatePaymentSerializer,
)


class BookingListView(ListAPIView):
    """GET: the caller's bookings (a landlord's: those of their properties).
    POST: a tenant books (holds) units and gets a Checkout URL."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = BookingFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [role_required("tenant")()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.booking_list_visible(actor=self.request.user)

    @extend_schema(
        summary="The caller's bookings (a landlord's: their properties'; an admin's: all)",
        responses={200: doc.BookingSchema(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([booking_representation(b) for b in page])

    @extend_schema(
        summary="Book (hold) units of a room: a Stripe Checkout URL to pay (tenants)",
        request=BookingRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: doc.BookingSchema,
            **errors(
                404,
                409,
                422,
                503,
                _404="`room_not_found`.",
                _409="`sold_out`, `not_bookable`.",
                _503="`payment_provider_unavailable`: retry with the same Idempotency-Key.",
            ),
        },
        examples=[doc.BOOKING_EXAMPLE],
    )
    def post(self, request):
        # Its own Idempotency-Key (services.booking_hold): the Checkout Session is made
        # after commit, so the library's key-in-the-transaction cannot cover it.
        key = key_from(request)
        data = validated(BookingRequestSerializer, request.data)
        booking, created = services.booking_hold(
            tenant_id=request.user.id, idempotency_key=key, **data
        )
        response = Response(booking_representation(booking), status=status.HTTP_201_CREATED)
        if not created:
            response[REPLAYED_HEADER] = "true"
        return response


class BookingDetailView(APIView):
    @extend_schema(summary="A booking", responses={200: doc.BookingSchema})
    def get(self, request, booking_id):
        booking = selectors.booking_get_visible(booking_id=booking_id, actor=request.user)
        return Response(booking_representation(booking))


class BookingCancelView(APIView):
    @extend_schema(
        summary="What cancelling would do now (allowed? which refund?)",
        responses={200: doc.CancellationQuoteSchema},
    )
    def get(self, request, booking_id):
        """The quote: would a cancellation be allowed now, and with which refund."""
        booking = selectors.booking_get_visible(booking_id=booking_id, actor=request.user)
        return Response(selectors.booking_cancellation_quote(booking, role=request.user.role))

    @extend_schema(
        summary="Cancel a booking (refund by policy)",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: doc.BookingSchema,
            **errors(409, 422, _409="`illegal_transition`, `cancellation_closed`."),
        },
    )
    @idempotent
    def post(self, request, booking_id):
        booking = services.booking_cancel(
            booking_id=booking_id, actor_id=request.user.id, role=request.user.role
        )
        return Response(booking_representation(booking))


class SimulatePaymentView(APIView):
    """Local payment simulator (404 where it is off: always in production). The payer
    (the tenant) or an operator may simulate; to anyone else the booking is not there."""

    @extend_schema(
        summary="Simulate Stripe's answer to a payment (outside production)",
        request=SimulatePaymentSerializer,
        responses={200: doc.SimulatedPaymentSchema},
    )
    def post(self, request, booking_id):
        if not settings.PAYMENT_SIMULATOR_ENABLED:
            raise NotFound()
        booking = selectors.booking_get_visible(booking_id=booking_id, actor=request.user)
        if request.user.role not in ("tenant", "admin"):
            raise BookingNotFound()
        outcome = validated(SimulatePaymentSerializer, request.data)["outcome"]
        event = simulator.checkout_event(booking, outcome)
        code, answer = simulator.deliver(event)
        booking.refresh_from_db()
        return Response(
            {
                "event": {"id": event["id"], "type": event["type"]},
                "webhook": {"status": code, "response": answer},
                "booking": booking_representation(booking),
            }
        )


class RoomAvailabilityView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A room's units and prices (public)", responses={200: doc.RoomAvailabilitySchema}
    )
    def get(self, request, room_id):
        return Response(selectors.room_availability(room_id=room_id))


class PaymentIssueListView(ListAPIView):
    """Payments that did not match their booking and refunds that failed: for admins,
    newest first; `?resolved=false` for the open ones."""

    permission_classes = [role_required("admin")]

    def get_queryset(self):
        params = validated(PaymentIssueFilterSerializer, self.request.query_params)
        return selectors.payment_issue_list(resolved=params.get("resolved"))

    @extend_schema(
        summary="Payment issues (admins)",
        parameters=[PaymentIssueFilterSerializer],
        responses={200: doc.PaymentIssueSchema(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([payment_issue_representation(i) for i in page])


class PaymentIssueResolveView(APIView):
    permission_classes = [role_required("admin")]

    @extend_schema(
        summary="Mark a payment issue resolved (admins)",
        request=PaymentIssueResolveSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.PaymentIssueSchema, **errors(422)},
    )
    @idempotent
    def post(self, request, issue_id):
        resolution = validated(PaymentIssueResolveSerializer, request.data)["resolution"]
        issue = services.payment_issue_resolve(
            issue_id=issue_id, actor_id=request.user.id, resolution=resolution
        )
        return Response(payment_issue_representation(issue))
