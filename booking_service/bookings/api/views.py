"""HTTP adapters: decode, call one service function, encode (docs/services/booking.md)."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import OperationalError
from django.db.models import Count, Q, Sum
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.errors import NotFound, error_response
from rentezy_common.gateway import role_required
from rentezy_common.idempotency import REPLAYED_HEADER, idempotent, key_from

from .. import payments, services, simulator
from ..models import Booking, BookingStatus, Room
from ..representation import booking_json
from .serializers import BookingRequestSerializer, SimulatePaymentSerializer

logger = logging.getLogger(__name__)


class BookingListView(GenericAPIView):
    """GET: the caller's bookings (a landlord's: those of their properties).
    POST: a tenant books (holds) units and gets a Checkout URL."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [role_required("tenant")()]
        return super().get_permissions()

    def get_queryset(self):
        user = self.request.user
        bookings = Booking.objects.order_by("-created_at", "-id")
        if user.role == "tenant":
            bookings = bookings.filter(tenant_id=user.id)
        elif user.role == "landlord":
            bookings = bookings.filter(owner_id=user.id)
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in BookingStatus.values:
                raise ValidationError({"status": [f"One of {', '.join(BookingStatus.values)}."]})
            bookings = bookings.filter(status=params["status"])
        for name in ("property_id", "room_id"):
            if params.get(name):
                _check_uuid(name, params[name])
                bookings = bookings.filter(**{name: params[name]})
        return bookings

    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([booking_json(b) for b in page])

    def post(self, request):
        # Its own key (services.create_booking): the Checkout Session is made after commit.
        key = key_from(request)
        serializer = BookingRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking, created = services.create_booking(
            tenant_id=request.user.id, idempotency_key=key, **serializer.validated_data
        )
        response = Response(booking_json(booking), status=status.HTTP_201_CREATED)
        if not created:
            response[REPLAYED_HEADER] = "true"
        return response


def _check_uuid(name: str, value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError as exc:
        raise ValidationError({name: ["Not a UUID."]}) from exc


def _visible(request, booking_id) -> Booking:
    booking = Booking.objects.filter(pk=booking_id).first()
    user = request.user
    if booking is None or not services.can_see(booking, user.id, user.role):
        raise NotFound("No such booking.", code="booking_not_found")
    return booking


class BookingDetailView(APIView):
    def get(self, request, booking_id):
        return Response(booking_json(_visible(request, booking_id)))


class BookingCancelView(APIView):
    def get(self, request, booking_id):
        """The quote: would a cancellation be allowed now, and with which refund."""
        booking = _visible(request, booking_id)
        return Response(services.cancellation_quote(booking, role=request.user.role))

    @idempotent
    def post(self, request, booking_id):
        booking = services.cancel(booking_id, actor_id=request.user.id, role=request.user.role)
        return Response(booking_json(booking))


class SimulatePaymentView(APIView):
    """Local payment simulator (404 where it is off: always in production)."""

    def post(self, request, booking_id):
        if not settings.PAYMENT_SIMULATOR_ENABLED:
            raise NotFound()
        booking = _visible(request, booking_id)
        if request.user.role not in ("tenant", "admin"):  # the payer, or an operator
            raise NotFound("No such booking.", code="booking_not_found")
        serializer = SimulatePaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = simulator.checkout_event(booking, serializer.validated_data["outcome"])
        code, answer = simulator.deliver(event)
        booking.refresh_from_db()
        return Response(
            {
                "event": {"id": event["id"], "type": event["type"]},
                "webhook": {"status": code, "response": answer},
                "booking": booking_json(booking),
            }
        )


class RoomAvailabilityView(APIView):
    permission_classes = [AllowAny]

    def get(self, request, room_id):
        room = Room.objects.filter(pk=room_id).first()
        if room is None:
            raise NotFound("No such room.", code="room_not_found")
        counts = Booking.objects.filter(room_id=room_id).aggregate(
            held=Sum("quantity", filter=Q(status=BookingStatus.PENDING), default=0),
            booked=Sum("quantity", filter=Q(status=BookingStatus.CONFIRMED), default=0),
            bookings=Count("id"),
        )
        return Response(
            {
                "room_id": str(room.id),
                "property_id": str(room.property_id),
                "bookable": room.bookable,
                "total_units": room.total_units,
                "available_units": room.available_units,
                "held_units": counts["held"],
                "booked_units": counts["booked"],
                "refused_total_units": room.refused_total_units,
                "monthly_price": f"{room.monthly_price:.2f}",
                "deposit": f"{room.deposit:.2f}",
                "currency": room.currency,
            }
        )


@require_POST
def stripe_webhook(request):
    """Stripe's webhook: verify the signature on the raw body, then apply the event once."""
    try:
        event = payments.construct_event(request.body, request.headers.get("Stripe-Signature"))
    except payments.InvalidSignature as exc:
        logger.warning("stripe webhook refused", extra={"error": str(exc)})
        return error_response(400, "invalid_signature", "The Stripe signature does not verify.")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        return error_response(400, "invalid_event", "Not a Stripe event.")
    try:
        result = services.handle_stripe_event(event)
    except services.IllegalTransition as exc:  # pragma: no cover - the handlers check first
        logger.error("stripe event hit an illegal transition", extra={"error": str(exc)})
        return error_response(409, exc.code, exc.message, exc.details)
    except OperationalError:
        # Stripe retries non-2xx answers for three days: nothing is lost.
        return error_response(503, "database_unavailable", "Try again later.")
    logger.info("stripe event", extra={"event_id": event["id"], "type": event["type"],
                                       "result": result})  # fmt: skip
    return JsonResponse({"received": True, "result": result})
