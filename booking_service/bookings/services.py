"""Booking use cases: hold, pay, expire, cancel, refund (every write of a booking).

Every change of a booking takes its row lock (`SELECT ... FOR UPDATE`), checks the state
machine (bookings.states), changes the booking and the room's units, and records the
events, in one transaction. The hold expiry and the Stripe webhook therefore serialize
on the booking row: whichever comes second sees the first's result, so exactly one of
them decides a booking's fate (docs/services/booking.md). Calls to Stripe happen outside
those transactions: after commit, or from Celery tasks queued by name
(rentezy_common.tasks.enqueue), whose work a sweeper finds again if a task is lost.

Payments are checked, not trusted: a paid Checkout Session must be the booking's own
session, for the booking's amount, in its currency. Anything else changes nothing and
becomes a PaymentIssue for a person. Refunds are attempted a bounded number of times,
one attempt at a time per booking; a refund Stripe refuses, or that runs out of
attempts, becomes a PaymentIssue too.
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

from rentezy_common.errors import IllegalTransition
from rentezy_common.events import publish_event
from rentezy_common.idempotency import IdempotencyKeyReused
from rentezy_common.retention import delete_older_than
from rentezy_common.tasks import claim_due, enqueue, enqueue_on_commit

from . import inventory, payments, policies
from .errors import BookingNotFound, CancellationClosed, NotBookable, RoomNotFound, SoldOut
from .models import (
    Booking,
    BookingStatus,
    PaymentIssue,
    PaymentIssueKind,
    RefundStatus,
    StripeEvent,
)
from .representation import booking_representation
from .selectors import booking_can_see, bookings_due_for_expiry, payment_issue_get
from .states import EVENT_TYPES, can_transition

logger = logging.getLogger(__name__)
S = BookingStatus
CENT = Decimal("0.01")

# Celery tasks, by their registered names (bookings/tasks.py).
TASK_EXPIRE_HOLD = "bookings.expire_hold"
TASK_ISSUE_REFUND = "bookings.issue_refund"
TASK_EXPIRE_SESSION = "bookings.expire_checkout_session"


# -- events and transitions --------------------------------------------------------------
def booking_event_payload(booking: Booking, previous: str | None) -> dict:
    """The event payload: the booking as the API shows it, and the status it left."""
    return {**booking_representation(booking), "previous_status": previous}


def _emit(booking: Booking, previous: str | None, event_type: str | None = None) -> None:
    publish_event(
        topic=settings.BOOKING_EVENTS_TOPIC,
        event_type=event_type or EVENT_TYPES[booking.status],
        aggregate_type="booking",
        aggregate_id=booking.id,
        version=booking.version,
        payload=booking_event_payload(booking, previous),
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
    inventory.room_release(booking.room_id, booking.quantity)
    _transition(booking, target, reason=reason, **fields)
    if close_session and booking.checkout_session_id:
        enqueue_on_commit(TASK_EXPIRE_SESSION, booking.checkout_session_id)


def _locked(booking_id) -> Booking | None:
    return Booking.objects.select_for_update().filter(pk=booking_id).first()


def _refund_owed(amount: Decimal) -> dict:
    """The refund fields of a booking that now owes `amount` back (queued on commit)."""
    if not amount:
        return {"refund_status": RefundStatus.NONE}
    return {
        "refund_status": RefundStatus.PENDING,
        "refund_attempts": 0,
        "refund_next_attempt_at": None,
        "refund_queued_at": timezone.now(),
    }


# -- hold ------------------------------------------------------------------------------
def booking_fingerprint(room_id, quantity: int, move_in_date: date) -> str:
    return hashlib.sha256(f"{room_id}|{quantity}|{move_in_date.isoformat()}".encode()).hexdigest()


def booking_hold(
    *, tenant_id: str, room_id: uuid.UUID, quantity: int, move_in_date: date,
    idempotency_key: str | None,
) -> tuple[Booking, bool]:  # fmt: skip
    """Hold the units and open the Checkout Session. Returns (booking, created); a
    replayed Idempotency-Key returns the first booking with created=False."""
    request = booking_fingerprint(room_id, quantity, move_in_date)
    replayed = _replay(tenant_id, idempotency_key, request)
    if replayed is not None:
        return replayed, False

    # Pre-flight: most requests for a sold-out room stop here, without a transaction.
    room = inventory.room_peek(room_id)
    if room is None:
        raise RoomNotFound()
    available, bookable = room
    if not bookable:
        raise NotBookable()
    if available < quantity:
        raise SoldOut(details={"available_units": available})

    try:
        with transaction.atomic():
            held = inventory.room_hold(room_id, quantity)
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
    # The expiry task at `expires_at`; if the broker refuses it, the sweeper expires the
    # hold a little late instead.
    enqueue(TASK_EXPIRE_HOLD, str(booking.id), eta=booking.expires_at)
    return booking_ensure_checkout(booking), True


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
    return booking_ensure_checkout(booking)


def booking_ensure_checkout(booking: Booking) -> Booking:
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
def booking_expire(*, booking_id) -> bool:
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


def booking_sweep() -> dict:
    """The periodic repair: expire holds whose task was lost (a broker outage, a worker
    that died with it in memory) and queue the refunds that are due."""
    expired = sum(booking_expire(booking_id=booking_id) for booking_id in bookings_due_for_expiry())
    refunds = refunds_queue_due()
    if expired or refunds:
        logger.info("sweep repaired", extra={"expired": expired, "refunds": len(refunds)})
    return {"expired": expired, "refunds": len(refunds)}


# -- payment (from Stripe's webhook, bookings/webhooks.py) ------------------------------
def _payment_mismatch(booking: Booking, *, session_id, amount_minor, currency) -> str | None:
    """The first way a paid session does not match the booking, or None."""
    if not booking.checkout_session_id or session_id != booking.checkout_session_id:
        return PaymentIssueKind.SESSION_MISMATCH
    if not isinstance(currency, str) or currency.upper() != booking.currency.upper():
        return PaymentIssueKind.CURRENCY_MISMATCH
    expected = payments.minor_units(booking.amount, booking.currency)
    if not isinstance(amount_minor, int) or amount_minor != expected:
        return PaymentIssueKind.AMOUNT_MISMATCH
    return None


def booking_payment_received(
    *, booking_id, session_id, amount_minor, currency, payment_intent: str | None,
    stripe_event_id: str,
) -> str:  # fmt: skip
    """A Checkout Session was paid. Checked against the booking first: a payment for
    another session, amount or currency changes nothing and is flagged for a person."""
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking is None:
            return "unknown_booking"
        mismatch = _payment_mismatch(
            booking, session_id=session_id, amount_minor=amount_minor, currency=currency
        )
        if mismatch is not None:
            payment_issue_record(
                booking=booking,
                kind=mismatch,
                stripe_event_id=stripe_event_id,
                expected={
                    "session_id": booking.checkout_session_id,
                    "amount_minor": payments.minor_units(booking.amount, booking.currency),
                    "currency": booking.currency.lower(),
                },
                received={
                    "session_id": session_id,
                    "amount_minor": amount_minor,
                    "currency": currency,
                },
                message="A paid Checkout Session does not match its booking; nothing changed.",
            )
            return "flagged"
        return _payment_received(booking, payment_intent)


def _payment_received(booking: Booking, payment_intent: str | None) -> str:
    paid = booking.amount  # checked equal to what Stripe collected
    booking.payment_intent_id = payment_intent or booking.payment_intent_id
    now = timezone.now()
    if booking.status == S.PENDING:
        _transition(booking, S.CONFIRMED, amount_paid=paid, confirmed_at=now)
        return "confirmed"
    if booking.status in (S.EXPIRED, S.FAILED):
        # Paid late: the units went back when the hold ended. Take them again if they
        # are still free, else give the money back.
        if inventory.room_hold(booking.room_id, booking.quantity) is not None:
            _transition(
                booking, S.CONFIRMED, reason="paid_after_expiry", amount_paid=paid,
                confirmed_at=now,
            )  # fmt: skip
            return "confirmed_late"
        _refund_all(booking, "sold_out_after_payment", paid)
        return "refunded"
    if booking.status == S.CANCELLED and booking.amount_paid == 0:
        _refund_all(booking, "paid_after_cancellation", paid)
        return "refunded"
    logger.warning(
        "payment for a settled booking ignored",
        extra={"booking_id": str(booking.id), "status": booking.status},
    )
    return "ignored"


def _refund_all(booking: Booking, reason: str, paid: Decimal) -> None:
    _transition(
        booking, S.REFUNDED, reason=reason, amount_paid=paid, amount_refunded=paid,
        **_refund_owed(paid),
    )  # fmt: skip
    if paid:
        enqueue_on_commit(TASK_ISSUE_REFUND, str(booking.id))


def booking_payment_failed(*, booking_id, session_id: str | None, error: str, final: bool) -> str:
    """A payment attempt failed: `final` (the session's asynchronous payment failed) ends
    the hold; otherwise the tenant may try another card until the hold expires."""
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking is None:
            return "unknown_booking"
        if booking.status != S.PENDING:
            return "ignored"
        if session_id is not None and session_id != booking.checkout_session_id:
            logger.warning("payment failure for another session ignored",
                           extra={"booking_id": str(booking.id)})  # fmt: skip
            return "ignored"
        booking.last_payment_error = error[:2000]
        if final:
            _give_back(booking, S.FAILED, reason="payment_failed")
            return "failed"
        booking.version += 1
        booking.save(update_fields=["last_payment_error", "version", "updated_at"])
        _emit(booking, booking.status, "booking.payment_failed")
        return "payment_failed"


def booking_checkout_expired(*, booking_id, session_id: str | None) -> str:
    """Stripe closed the booking's Checkout Session unpaid: the hold ends now."""
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking is None:
            return "unknown_booking"
        if booking.status != S.PENDING or session_id != booking.checkout_session_id:
            return "ignored"
        _give_back(booking, S.EXPIRED, reason="checkout_expired")
        return "expired"


def stripe_event_record(*, event_id: str, event_type: str, booking_id) -> bool:
    """Record a Stripe event as handled, in the caller's transaction (so with its
    effects); False if it was handled before (a redelivery, a concurrent duplicate)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {StripeEvent._meta.db_table} (id, type, booking_id, received_at) "
            "VALUES (%s, %s, %s, now()) ON CONFLICT (id) DO NOTHING RETURNING id",
            [event_id, event_type[:100], booking_id],
        )
        return cursor.fetchone() is not None


def stripe_events_purge() -> int:
    """Forget handled Stripe event ids older than BOOKING_STRIPE_EVENT_RETENTION_DAYS
    (30): Stripe retries a webhook delivery for up to 3 days, so an older event does not
    come again by itself."""
    days = settings.BOOKING_STRIPE_EVENT_RETENTION_DAYS
    return delete_older_than(StripeEvent._meta.db_table, "received_at", timedelta(days=days))


# -- cancellation ------------------------------------------------------------------------
def booking_cancel(*, booking_id, actor_id: str, role: str) -> Booking:
    """Cancel as the tenant, the landlord or an admin: a pending hold gives its units
    back; a confirmed booking refunds by the policy (bookings.policies)."""
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking is None or not booking_can_see(booking, actor_id=actor_id, role=role):
            raise BookingNotFound()
        reason = f"cancelled_by_{role}"
        if booking.status == S.PENDING:
            _give_back(booking, S.CANCELLED, reason=reason, close_session=True)
            return booking
        if booking.status != S.CONFIRMED:
            raise IllegalTransition(
                f"A {booking.status} booking cannot be cancelled.",
                details={"status": booking.status, "target": S.CANCELLED},
            )
        if role == "tenant":
            today = timezone.localdate()
            if today >= booking.move_in_date:
                raise CancellationClosed(details={"move_in_date": str(booking.move_in_date)})
            refund = policies.refund_for_tenant_cancellation(
                move_in_date=booking.move_in_date,
                today=today,
                amount_paid=booking.amount_paid,
                deposit=booking.deposit_amount,
                monthly=booking.monthly_amount,
            )
        else:  # the landlord (or an admin) cancels: everything goes back
            refund = booking.amount_paid
        _give_back(
            booking, S.CANCELLED, reason=reason, amount_refunded=refund, **_refund_owed(refund)
        )
        if refund:
            enqueue_on_commit(TASK_ISSUE_REFUND, str(booking.id))
        return booking


# -- refunds -----------------------------------------------------------------------------
def refund_attempt(*, booking_id) -> str:
    """One attempt at the booking's pending refund, if one is due.

    The booking's row is locked for the attempt (SKIP LOCKED: a second task for the
    same refund finds it busy and does nothing), so one attempt runs at a time.
    Succeeded → `succeeded`. Stripe says no → `failed` and a PaymentIssue. Stripe
    cannot be reached → the next attempt after a backoff (bookings.policies), until
    BOOKING_REFUND_MAX_ATTEMPTS, then `failed` and a PaymentIssue. Stripe's idempotency
    key makes a repeated attempt the same refund, never a second one."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(skip_locked=True)
            .filter(pk=booking_id, refund_status=RefundStatus.PENDING)
            .first()
        )
        if booking is None:
            return "nothing_to_do"
        now = timezone.now()
        if booking.refund_next_attempt_at and booking.refund_next_attempt_at > now:
            return "not_due"
        if not booking.payment_intent_id:
            _refund_failed(booking, "The booking has no payment to refund.")
            return "failed"
        booking.refund_attempts += 1
        try:
            refund_id = payments.refund(booking, booking.amount_refunded)
        except payments.RefundRefused as exc:
            _refund_failed(booking, f"Stripe refused the refund: {exc}")
            return "failed"
        except payments.PaymentProviderUnavailable as exc:
            booking.refund_last_error = str(exc.message)[:2000]
            if booking.refund_attempts >= settings.BOOKING_REFUND_MAX_ATTEMPTS:
                _refund_failed(
                    booking, f"No answer from Stripe after {booking.refund_attempts} attempts."
                )
                return "failed"
            booking.refund_next_attempt_at = now + policies.refund_retry_delay(
                booking.refund_attempts
            )
            booking.save(
                update_fields=[
                    "refund_attempts", "refund_last_error", "refund_next_attempt_at", "updated_at"
                ]
            )  # fmt: skip
            logger.warning(
                "refund attempt failed; retrying later",
                extra={"booking_id": str(booking.id), "attempt": booking.refund_attempts},
            )
            return "retry_scheduled"
        booking.refund_status = RefundStatus.SUCCEEDED
        booking.refund_id = refund_id
        booking.refund_next_attempt_at = None
        booking.save(
            update_fields=[
                "refund_status", "refund_id", "refund_attempts", "refund_next_attempt_at",
                "updated_at",
            ]
        )  # fmt: skip
        return "refunded"


def _refund_failed(booking: Booking, message: str) -> None:
    booking.refund_status = RefundStatus.FAILED
    booking.refund_last_error = message[:2000]
    booking.refund_next_attempt_at = None
    booking.save(
        update_fields=[
            "refund_status", "refund_attempts", "refund_last_error", "refund_next_attempt_at",
            "updated_at",
        ]
    )  # fmt: skip
    payment_issue_record(
        booking=booking,
        kind=PaymentIssueKind.REFUND_FAILED,
        expected={"refund": f"{booking.amount_refunded:.2f}", "currency": booking.currency},
        received={"attempts": booking.refund_attempts},
        message=message,
    )
    logger.error("refund failed; flagged for a person", extra={"booking_id": str(booking.id)})


def refunds_queue_due(limit: int = 500) -> list:
    """Queue one attempt for each refund that is due and not queued recently. The
    claim (`refund_queued_at`) is one UPDATE, so a refund is never queued twice by
    overlapping sweeps, and a refund waits BOOKING_REFUND_REQUEUE_SECONDS before it is
    queued again (its task may still be waiting for a worker)."""
    due = claim_due(
        Booking._meta.db_table,
        where="refund_status = %s "
        "AND (refund_next_attempt_at IS NULL OR refund_next_attempt_at <= now())",
        params=[RefundStatus.PENDING],
        stamp="refund_queued_at",
        requeue_seconds=settings.BOOKING_REFUND_REQUEUE_SECONDS,
        limit=limit,
    )
    for booking_id in due:
        enqueue(TASK_ISSUE_REFUND, str(booking_id))
    return due


# -- payment issues ----------------------------------------------------------------------
def payment_issue_record(
    *, booking: Booking | None, kind: str, expected: dict, received: dict, message: str,
    stripe_event_id: str = "",
) -> PaymentIssue:  # fmt: skip
    """Flag something about money for a person (in the caller's transaction)."""
    logger.error(
        "payment issue flagged",
        extra={"kind": kind, "booking_id": str(booking.id) if booking else None,
               "stripe_event_id": stripe_event_id},
    )  # fmt: skip
    return PaymentIssue.objects.create(
        booking=booking,
        kind=kind,
        stripe_event_id=stripe_event_id,
        expected=expected,
        received=received,
        message=message,
    )


def payment_issue_resolve(*, issue_id, actor_id: str, resolution: str) -> PaymentIssue:
    """A person has dealt with the issue: record who, when and how."""
    with transaction.atomic():
        issue = payment_issue_get(issue_id=issue_id)
        issue = PaymentIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.resolved_at is not None:
            raise IllegalTransition(
                "This payment issue is already resolved.",
                details={"resolved_at": issue.resolved_at.isoformat()},
            )
        issue.resolved_at = timezone.now()
        issue.resolved_by = str(actor_id)
        issue.resolution = resolution
        issue.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        return issue
