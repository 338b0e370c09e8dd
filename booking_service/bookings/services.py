"""Booking use cases: hold, pay, expire, cancel, refund.

Every change of a booking takes its row lock (`SELECT ... FOR UPDATE`), checks the state
machine (bookings.states), changes the booking and the room's units, and records the
events, in one transaction. The hold expiry and the Stripe webhook therefore serialize
on the booking row: whichever comes second sees the first's result, so exactly one of
them decides a booking's fate (DESIGN.md "Booking"). Calls to Stripe happen outside
transactions: after commit, or from Celery tasks that retry them.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rentezy_common.errors import Conflict, NotFound
from rentezy_common.events import publish_event
from rentezy_common.idempotency import IdempotencyKeyReused
from rentezy_common.retention import delete_older_than

from . import inventory, payments
from .models import Booking, BookingStatus, RefundStatus, StripeEvent
from .representation import booking_json
from .states import EVENT_TYPES, can_transition

logger = logging.getLogger(__name__)
S = BookingStatus
CENT = Decimal("0.01")


class SoldOut(Conflict):
    code = "sold_out"
    message = "Not enough units of this room are free."


class NotBookable(Conflict):
    code = "not_bookable"
    message = "This room is not open for booking."


class IllegalTransition(Conflict):
    code = "illegal_transition"


class CancellationClosed(Conflict):
    code = "cancellation_closed"
    message = "A confirmed booking can be cancelled by the tenant only before the move-in date."


# -- events ----------------------------------------------------------------------------
def booking_payload(booking: Booking, previous: str | None) -> dict:
    """The event payload: the booking as the API shows it, and the status it left."""
    return {**booking_json(booking), "previous_status": previous}


def _emit(booking: Booking, previous: str | None, event_type: str | None = None) -> None:
    publish_event(
        topic=settings.BOOKING_EVENTS_TOPIC,
        event_type=event_type or EVENT_TYPES[booking.status],
        aggregate_type="booking",
        aggregate_id=booking.id,
        version=booking.version,
        payload=booking_payload(booking, previous),
    )


def _transition(booking: Booking, target: str, *, reason: str = "", **fields) -> None:
    """Move a locked booking to `target` (or 409), save it and emit the event."""
    previous = booking.status
    if not can_transition(previous, target):
        raise IllegalTransition(
            f"A {previous} booking cannot become {target}.",
            details={"status": previous, "target": target},
        )
    booking.status = target
    booking.reason = reason
    for name, value in fields.items():
        setattr(booking, name, value)
    if target in (S.EXPIRED, S.CANCELLED, S.REFUNDED, S.FAILED):
        booking.ended_at = timezone.now()
    booking.version += 1
    booking.save()
    _emit(booking, previous)


def _give_back(booking: Booking, target: str, *, reason: str, close_session: bool = False,
               **fields) -> None:  # fmt: skip
    """End a locked booking that holds units: units back, transition, event; with
    `close_session`, its still-open Checkout Session is expired after commit so it can
    no longer be paid."""
    from .tasks import expire_checkout_session

    inventory.release(booking.room_id, booking.quantity)
    _transition(booking, target, reason=reason, **fields)
    if close_session and booking.checkout_session_id:
        _after_commit(expire_checkout_session, booking.checkout_session_id)


def _locked(booking_id) -> Booking | None:
    return Booking.objects.select_for_update().filter(pk=booking_id).first()


def _after_commit(task, *args) -> None:
    """Queue a Celery task once the transaction commits; a broker outage only delays
    it (the sweeper finds what it should have done)."""

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.exception("task not queued; the sweeper will retry", extra={"task": task.name})

    transaction.on_commit(send)


# -- hold ------------------------------------------------------------------------------
def fingerprint(room_id, quantity: int, move_in_date: date) -> str:
    return hashlib.sha256(f"{room_id}|{quantity}|{move_in_date.isoformat()}".encode()).hexdigest()


def create_booking(
    *, tenant_id: str, room_id: uuid.UUID, quantity: int, move_in_date: date,
    idempotency_key: str | None,
) -> tuple[Booking, bool]:  # fmt: skip
    """Hold the units and open the Checkout Session. Returns (booking, created); a
    replayed Idempotency-Key returns the first booking with created=False."""
    request = fingerprint(room_id, quantity, move_in_date)
    replayed = _replay(tenant_id, idempotency_key, request)
    if replayed is not None:
        return replayed, False

    # Pre-flight: most requests for a sold-out room stop here, without a transaction.
    room = inventory.peek(room_id)
    if room is None:
        raise NotFound("No such room.", code="room_not_found")
    available, bookable = room
    if not bookable:
        raise NotBookable()
    if available < quantity:
        raise SoldOut(details={"available_units": available})

    try:
        with transaction.atomic():
            held = inventory.hold(room_id, quantity)
            if held is None:
                raise SoldOut()
            monthly = (held.monthly_price * quantity).quantize(CENT)
            deposit = (held.deposit * quantity).quantize(CENT)
            booking = Booking.objects.create(
                tenant_id=tenant_id,
                owner_id=held.owner_id,
                property_id=held.property_id,
                room_id=room_id,
                quantity=quantity,
                move_in_date=move_in_date,
                status=S.PENDING,
                currency=held.currency,
                monthly_amount=monthly,
                deposit_amount=deposit,
                amount=monthly + deposit,
                expires_at=timezone.now() + timedelta(seconds=settings.BOOKING_HOLD_SECONDS),
                idempotency_key=idempotency_key or "",
                request_fingerprint=request,
            )
            _emit(booking, None)
    except IntegrityError:
        # Two requests with one key at once: the unique key let one in, this one rolled
        # back (its units with it) and answers with the winner's booking.
        replayed = _replay(tenant_id, idempotency_key, request)
        if replayed is not None:
            return replayed, False
        raise
    _schedule_expiry(booking)
    return ensure_checkout(booking), True


def _schedule_expiry(booking: Booking) -> None:
    from .tasks import expire_hold

    try:
        expire_hold.apply_async(args=[str(booking.id)], eta=booking.expires_at)
    except Exception:
        logger.exception("expiry not scheduled; the sweeper will expire the hold")


def _replay(tenant_id: str, idempotency_key: str | None, request: str) -> Booking | None:
    """The tenant's booking made with this key (None if there is none): the same
    request gets it back, another request with the key is a 422."""
    if not idempotency_key:
        return None
    booking = Booking.objects.filter(tenant_id=tenant_id, idempotency_key=idempotency_key).first()
    if booking is None:
        return None
    if booking.request_fingerprint != request:
        raise IdempotencyKeyReused(details={"booking_id": str(booking.id)})
    return ensure_checkout(booking)


def ensure_checkout(booking: Booking) -> Booking:
    """Give a pending booking its Checkout Session (again after a failed attempt: the
    Stripe idempotency key makes it the same session)."""
    if booking.status != S.PENDING or booking.checkout_url:
        return booking
    session_id, url = payments.create_checkout_session(booking)
    Booking.objects.filter(pk=booking.pk, checkout_session_id="").update(
        checkout_session_id=session_id, checkout_url=url
    )
    booking.checkout_session_id, booking.checkout_url = session_id, url
    return booking


# -- expiry ----------------------------------------------------------------------------
def expire_hold(booking_id) -> bool:
    """Expire a still-pending hold whose time is up: units back, event, then close the
    session. False if there is nothing to do."""
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking is None or booking.status != S.PENDING:
            return False
        if timezone.now() < booking.expires_at:
            return False
        _give_back(booking, S.EXPIRED, reason="hold_expired", close_session=True)
    return True


def due_holds(limit: int = 500) -> list:
    """Pending holds past their expiry (the sweeper's work list)."""
    grace = timezone.now() - timedelta(seconds=settings.BOOKING_SWEEP_GRACE_SECONDS)
    return list(
        Booking.objects.filter(status=S.PENDING, expires_at__lt=grace)
        .order_by("expires_at")
        .values_list("id", flat=True)[:limit]
    )


# -- payment ---------------------------------------------------------------------------
def _refund_all(booking: Booking, target: str, reason: str, paid: Decimal) -> None:
    _transition(
        booking, target, reason=reason, amount_paid=paid, amount_refunded=paid,
        refund_status=RefundStatus.PENDING if paid else RefundStatus.NONE,
    )  # fmt: skip
    if paid:
        from .tasks import issue_refund

        _after_commit(issue_refund, str(booking.id))


def payment_received(booking: Booking, session: dict) -> str:
    """A Checkout Session was paid (booking locked by the caller)."""
    paid = booking.amount
    if isinstance(session.get("amount_total"), int):
        paid = payments.from_minor_units(session["amount_total"], booking.currency)
    booking.payment_intent_id = session.get("payment_intent") or booking.payment_intent_id
    now = timezone.now()
    if booking.status == S.PENDING:
        _transition(booking, S.CONFIRMED, amount_paid=paid, confirmed_at=now)
        return "confirmed"
    if booking.status in (S.EXPIRED, S.FAILED):
        # Paid late: the units went back when the hold ended. Take them again if they
        # are still free, else give the money back.
        if inventory.hold(booking.room_id, booking.quantity) is not None:
            _transition(
                booking, S.CONFIRMED, reason="paid_after_expiry", amount_paid=paid,
                confirmed_at=now,
            )  # fmt: skip
            return "confirmed_late"
        _refund_all(booking, S.REFUNDED, "sold_out_after_payment", paid)
        return "refunded"
    if booking.status == S.CANCELLED and booking.amount_paid == 0:
        _refund_all(booking, S.REFUNDED, "paid_after_cancellation", paid)
        return "refunded"
    logger.warning(
        "payment for a settled booking ignored",
        extra={"booking_id": str(booking.id), "status": booking.status},
    )
    return "ignored"


def payment_failed(booking: Booking, error: str, *, final: bool) -> str:
    if booking.status != S.PENDING:
        return "ignored"
    booking.last_payment_error = error[:2000]
    if final:
        _give_back(booking, S.FAILED, reason="payment_failed")
        return "failed"
    booking.version += 1
    booking.save(update_fields=["last_payment_error", "version", "updated_at"])
    # Stays PENDING: the tenant may try another card until the hold expires.
    _emit(booking, booking.status, "booking.payment_failed")
    return "payment_failed"


SESSION_PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


def handle_stripe_event(event: dict) -> str:
    """Apply one verified Stripe event, once: its id is recorded in the same transaction
    as its effects, so a redelivery (or a concurrent duplicate) changes nothing."""
    event_type = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    booking_id = _booking_id(obj)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {StripeEvent._meta.db_table} (id, type, booking_id, received_at) "
                "VALUES (%s, %s, %s, now()) ON CONFLICT (id) DO NOTHING RETURNING id",
                [event["id"], event_type[:100], booking_id],
            )
            if cursor.fetchone() is None:
                return "duplicate"
        if booking_id is None:
            return "ignored"
        booking = _locked(booking_id)
        if booking is None:
            return "unknown_booking"
        if event_type in SESSION_PAID:
            if obj.get("payment_status") not in ("paid", "no_payment_required"):
                return "awaiting_payment"  # async methods: *_async_payment_succeeded follows
            return payment_received(booking, obj)
        if event_type == "checkout.session.expired":
            if booking.status != S.PENDING:
                return "ignored"
            _give_back(booking, S.EXPIRED, reason="checkout_expired")
            return "expired"
        if event_type == "checkout.session.async_payment_failed":
            return payment_failed(booking, "asynchronous payment failed", final=True)
        if event_type == "payment_intent.payment_failed":
            error = (obj.get("last_payment_error") or {}).get("message") or "payment failed"
            return payment_failed(booking, error, final=False)
    return "ignored"


def _booking_id(obj: dict) -> uuid.UUID | None:
    raw = (obj.get("metadata") or {}).get("booking_id") or obj.get("client_reference_id")
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


# -- cancellation and refunds ----------------------------------------------------------
def refund_for_tenant_cancellation(booking: Booking, today: date) -> Decimal:
    """The refund policy (docs/services/booking.md): everything back up to
    BOOKING_FULL_REFUND_DAYS before move-in; later, the deposit plus
    BOOKING_LATE_CANCEL_REFUND_PERCENT of the first month."""
    if (booking.move_in_date - today).days >= settings.BOOKING_FULL_REFUND_DAYS:
        return booking.amount_paid
    share = Decimal(settings.BOOKING_LATE_CANCEL_REFUND_PERCENT) / 100
    refund = booking.deposit_amount + (booking.monthly_amount * share).quantize(CENT)
    return min(refund, booking.amount_paid)


def cancellation_quote(booking: Booking, *, role: str, today: date | None = None) -> dict:
    """What cancelling would do now, for the caller to see before confirming: whether it
    is allowed and the refund the policy gives (the same rules as `cancel`)."""
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
        refund = refund_for_tenant_cancellation(booking, today)
    else:
        refund = booking.amount_paid
    policy = "full" if refund >= booking.amount_paid else "partial"
    return {**quote, "cancellable": True, "refund_amount": f"{refund:.2f}", "refund_policy": policy}


def cancel(booking_id, *, actor_id: str, role: str) -> Booking:
    from .tasks import issue_refund

    with transaction.atomic():
        booking = _locked(booking_id)
        if booking is None or not can_see(booking, actor_id, role):
            raise NotFound("No such booking.", code="booking_not_found")
        reason = f"cancelled_by_{role}"
        if booking.status == S.PENDING:
            _give_back(booking, S.CANCELLED, reason=reason, close_session=True)
            return booking
        if booking.status != S.CONFIRMED:
            raise IllegalTransition(
                f"A {booking.status} booking cannot be cancelled.",
                details={"status": booking.status},
            )
        if role == "tenant":
            today = timezone.localdate()
            if today >= booking.move_in_date:
                raise CancellationClosed(details={"move_in_date": str(booking.move_in_date)})
            refund = refund_for_tenant_cancellation(booking, today)
        else:  # the landlord (or an admin) cancels: everything goes back
            refund = booking.amount_paid
        _give_back(
            booking, S.CANCELLED, reason=reason, amount_refunded=refund,
            refund_status=RefundStatus.PENDING if refund else RefundStatus.NONE,
        )  # fmt: skip
        if refund:
            _after_commit(issue_refund, str(booking.id))
        return booking


def issue_refund(booking_id) -> str:
    """Send the booking's pending refund to Stripe (idempotent: Stripe's idempotency
    key, and the status flips only from pending)."""
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None or booking.refund_status != RefundStatus.PENDING:
        return "nothing_to_do"
    if not booking.payment_intent_id:
        logger.error("refund without a payment intent", extra={"booking_id": str(booking_id)})
        return "no_payment_intent"
    refund_id = payments.refund(booking, booking.amount_refunded)
    Booking.objects.filter(pk=booking_id, refund_status=RefundStatus.PENDING).update(
        refund_status=RefundStatus.SUCCEEDED, refund_id=refund_id, updated_at=timezone.now()
    )
    return "refunded"


def due_refunds(limit: int = 500) -> list:
    stale = timezone.now() - timedelta(seconds=settings.BOOKING_SWEEP_GRACE_SECONDS)
    return list(
        Booking.objects.filter(
            refund_status=RefundStatus.PENDING, updated_at__lt=stale
        ).values_list("id", flat=True)[:limit]
    )


# -- reading ---------------------------------------------------------------------------
def can_see(booking: Booking, actor_id: str | None, role: str | None) -> bool:
    if role == "admin":
        return True
    if role == "tenant":
        return booking.tenant_id == actor_id
    if role == "landlord":
        return booking.owner_id == actor_id
    return False


def purge_stripe_events() -> int:
    """Forget handled Stripe event ids older than BOOKING_STRIPE_EVENT_RETENTION_DAYS
    (30): Stripe retries a webhook delivery for up to 3 days, so an older event does not
    come again by itself."""
    days = settings.BOOKING_STRIPE_EVENT_RETENTION_DAYS
    return delete_older_than(StripeEvent._meta.db_table, "received_at", timedelta(days=days))
