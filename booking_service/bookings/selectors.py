"""Reads, and who may read what: tenants see their bookings, landlords those of their
properties, admins everything; room availability is public."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
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


# The public availability of one room is the platform's most frequent small read: one
# statement (the room and its held and booked units together, from one snapshot) instead
# of two ORM queries, which cost two round trips and two query compilations per request
# (bench/profiles: about a fifth of the request's CPU in the service).
_AVAILABILITY_SQL = """
    SELECT r.id, r.property_id, r.bookable, r.total_units, r.available_units,
           r.refused_total_units, r.monthly_price, r.deposit, r.currency,
           coalesce(sum(b.quantity) FILTER (WHERE b.status = %(held)s), 0),
           coalesce(sum(b.quantity) FILTER (WHERE b.status = %(booked)s), 0)
    FROM {room} r LEFT JOIN {booking} b ON b.room_id = r.id
    WHERE r.id = %(room)s
    GROUP BY r.id
"""


def room_availability(*, room_id) -> dict:
    """A room's units, public: total, free, held, booked, prices."""
    sql = _AVAILABILITY_SQL.format(room=Room._meta.db_table, booking=Booking._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"held": S.PENDING, "booked": S.CONFIRMED, "room": room_id})
        row = cursor.fetchone()
    if row is None:
        raise RoomNotFound()
    fields = ("id", "property_id", "bookable", "total_units", "available_units",
              "refused_total_units", "monthly_price", "deposit", "currency")  # fmt: skip
    room = SimpleNamespace(**dict(zip(fields, row[:9], strict=True)))
    return room_availability_representation(room, {"held": row[9], "booked": row[10]})


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
