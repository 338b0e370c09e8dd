"""Reads, and who may read what: tenants see their bookings, landlords those of their
properties, admins everything; room availability is public."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from rentezy_common.errors import IllegalTransition

from . import policies
from .errors import BookingNotFound, CancellationClosed, PaymentIssueNotFound, RoomNotFound
from .models import Booking, BookingStatus, PaymentIssue, Room
from .representation import room_availability_representation

S = BookingStatus


def booking_can_see(booking: Booking, *, actor_id: str | None, role: str | None) -> bool:
    if role == "admin":
        return True
    if role == "tenant":
        return booking.tenant_id == actor_id
    if role == "landlord":
        return booking.owner_id == actor_id
    return False


def booking_get_visible(*, booking_id, actor) -> Booking:
    """The booking if the actor may see it; 404 otherwise (never a 403: whether a
    booking exists is not the caller's business)."""
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None or not booking_can_see(booking, actor_id=actor.id, role=actor.role):
        raise BookingNotFound()
    return booking


def booking_list_visible(*, actor) -> QuerySet[Booking]:
    """The actor's bookings, newest first (a landlord's: those of their properties)."""
    bookings = Booking.objects.order_by("-created_at", "-id")
    if actor.role == "tenant":
        return bookings.filter(tenant_id=actor.id)
    if actor.role == "landlord":
        return bookings.filter(owner_id=actor.id)
    if actor.role == "admin":
        return bookings
    return bookings.none()


def room_availability(*, room_id) -> dict:
    """A room's units, public: total, free, held, booked, prices."""
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        raise RoomNotFound()
    counts = Booking.objects.filter(room_id=room_id).aggregate(
        held=Sum("quantity", filter=Q(status=S.PENDING), default=0),
        booked=Sum("quantity", filter=Q(status=S.CONFIRMED), default=0),
        bookings=Count("id"),
    )
    return room_availability_representation(room, counts)


def bookings_due_for_expiry(limit: int = 500) -> list:
    """Pending holds past their expiry and its grace (the sweeper's work list)."""
    grace = timezone.now() - timedelta(seconds=settings.BOOKING_SWEEP_GRACE_SECONDS)
    return list(
        Booking.objects.filter(status=S.PENDING, expires_at__lt=grace)
        .order_by("expires_at")
        .values_list("id", flat=True)[:limit]
    )


def payment_issue_list(*, resolved: bool | None = None) -> QuerySet[PaymentIssue]:
    issues = PaymentIssue.objects.order_by("-created_at", "-id")
    if resolved is not None:
        issues = issues.filter(resolved_at__isnull=not resolved)
    return issues


def payment_issue_get(*, issue_id) -> PaymentIssue:
    issue = PaymentIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        raise PaymentIssueNotFound()
    return issue


def booking_cancellation_quote(booking: Booking, *, role: str, today: date | None = None) -> dict:
    """What cancelling would do now, for the caller to see before confirming: whether it
    is allowed and the refund the policy gives (the rules `services.booking_cancel`
    applies)."""
    today = today or timezone.localdate()
    quote = {
        "booking_id": str(booking.id),
        "status": booking.status,
        "currency": booking.currency,
        "cancellable": False,
        "refund_amount": None,
        "refund_policy": None,
        "error": None,
    }
    if booking.status == S.PENDING:
        return {**quote, "cancellable": True, "refund_amount": "0.00", "refund_policy": "unpaid"}
    if booking.status != S.CONFIRMED:
        error = IllegalTransition(f"A {booking.status} booking cannot be cancelled.")
        return {**quote, "error": {"code": error.code, "message": error.message}}
    if role == "tenant":
        if today >= booking.move_in_date:
            error = CancellationClosed()
            return {**quote, "error": {"code": error.code, "message": error.message}}
        refund = policies.refund_for_tenant_cancellation(
            move_in_date=booking.move_in_date,
            today=today,
            amount_paid=booking.amount_paid,
            deposit=booking.deposit_amount,
            monthly=booking.monthly_amount,
        )
    else:
        refund = booking.amount_paid
    policy = "full" if refund >= booking.amount_paid else "partial"
    return {**quote, "cancellable": True, "refund_amount": f"{refund:.2f}", "refund_policy": policy}
