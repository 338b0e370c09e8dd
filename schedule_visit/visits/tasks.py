"""Celery tasks: thin, by name, taking ids. Each calls one service that re-checks state
under the visit's row lock, so a task run twice (acks late, a redelivery, two sweeps
queueing the same reminder) acts once. Services queue them by name
(rentezy_common.tasks.enqueue), never by importing this module."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="visits.queue_reminders")
def queue_reminders() -> int:
    """Every VISITS_REMINDER_SWEEP_SECONDS: queue the reminders that are due."""
    return services.reminders_queue()


@shared_task(name="visits.send_reminder")
def send_reminder(visit_id: str, kind: str) -> bool:
    """One reminder ("24h" or "1h") of one visit, if it is still due."""
    return services.visit_remind(visit_id=visit_id, kind=kind)
