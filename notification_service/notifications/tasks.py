"""Celery tasks: thin, by name, taking ids. Each calls one service that re-checks
state under the delivery's row lock, so a task run twice sends once. Services queue
them by name (rentezy_common.tasks.enqueue), never by importing this module."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.send_email")
def send_email(delivery_id: str) -> str:
    """One attempt at one email. No Celery retries: the service schedules the next
    attempt (bounded, with backoff) and the sweeper re-queues a lost one."""
    return services.delivery_send_email(delivery_id=delivery_id)


@shared_task(name="notifications.sweep")
def sweep() -> int:
    """Every NOTIFICATION_SWEEP_SECONDS: queue due email deliveries whose task was lost."""
    return services.deliveries_sweep()


@shared_task(name="notifications.chat_digest")
def chat_digest() -> int:
    """Every NOTIFICATION_CHAT_DIGEST_CHECK_SECONDS: one email per recipient of the chat
    messages unread for NOTIFICATION_CHAT_DIGEST_MINUTES."""
    return services.chat_digest_run()
