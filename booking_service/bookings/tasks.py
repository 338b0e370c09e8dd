"""Celery tasks: thin, by name, taking ids. Each calls one service that re-checks state
under the booking's row lock, so a task run twice (acks late, a redelivery, the sweeper
racing the scheduled task) acts once. Services queue them by name
(rentezy_common.tasks.enqueue), never by importing this module."""

from __future__ import annotations

from celery import shared_task

from . import payments, services


@shared_task(name="bookings.expire_hold")
def expire_hold(booking_id: str) -> bool:
    """Scheduled at the hold's `expires_at` when the booking is created."""
    return services.booking_expire(booking_id=booking_id)


@shared_task(name="bookings.sweep")
def sweep() -> dict:
    """Every BOOKING_SWEEP_SECONDS: expire holds whose task was lost, queue due refunds."""
    return services.booking_sweep()


@shared_task(name="bookings.purge_stripe_events")
def purge_stripe_events() -> int:
    """Daily: drop the ledger of Stripe events past their retention."""
    return services.stripe_events_purge()


@shared_task(name="bookings.issue_refund")
def issue_refund(booking_id: str) -> str:
    """One refund attempt. No Celery retries: the service schedules the next attempt
    (bounded, with backoff) and the sweeper queues it when it is due."""
    return services.refund_attempt(booking_id=booking_id)


@shared_task(
    name="bookings.expire_checkout_session",
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=10,
)
def expire_checkout_session(session_id: str) -> None:
    payments.expire_checkout_session(session_id)
