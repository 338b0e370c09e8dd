"""Celery tasks. Each takes ids and re-checks state under the row lock, so a task run
twice (acks late, a redelivery, the sweeper racing the scheduled task) acts once."""

from __future__ import annotations

import logging

from celery import shared_task

# The service's Celery app (broker, queue) becomes the current app wherever tasks are
# queued from: the web process imports this module lazily, after Django is set up.
import config.celery  # noqa: F401

from . import payments, services

logger = logging.getLogger(__name__)


@shared_task(name="bookings.expire_hold")
def expire_hold(booking_id: str) -> bool:
    """Scheduled at the hold's `expires_at` when the booking is created."""
    return services.expire_hold(booking_id)


@shared_task(name="bookings.sweep")
def sweep() -> dict:
    """Every BOOKING_SWEEP_SECONDS: expire holds whose task was lost (a broker outage, a
    worker that died with it in memory) and re-send refunds that never reached Stripe."""
    expired = sum(services.expire_hold(booking_id) for booking_id in services.due_holds())
    refunds = services.due_refunds()
    for booking_id in refunds:
        issue_refund.delay(str(booking_id))
    if expired or refunds:
        logger.info("sweep repaired", extra={"expired": expired, "refunds": len(refunds)})
    return {"expired": expired, "refunds": len(refunds)}


@shared_task(name="bookings.purge_stripe_events")
def purge_stripe_events() -> int:
    """Daily: drop the ledger of Stripe events past their retention."""
    return services.purge_stripe_events()


@shared_task(
    name="bookings.issue_refund",
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=None,
)
def issue_refund(booking_id: str) -> str:
    return services.issue_refund(booking_id)


@shared_task(
    name="bookings.expire_checkout_session",
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=10,
)
def expire_checkout_session(session_id: str) -> None:
    payments.expire_checkout_session(session_id)
