"""Celery tasks: thin, by name, taking ids. Each calls one service that re-checks state
under a row lock, so a task run twice (acks late, a redelivery, the sweeper racing the
cycle) acts once. Services queue them by name (rentezy_common.tasks.enqueue), never by
importing this module."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import cycle, services, simulator
from .models import Payment


@shared_task(name="leases.run_cycle")
def run_cycle() -> list[dict]:
    """Every hour (beat): the rent cycle for each date that has begun in some lease's
    zone, each lease from its own midnight (cycle.dates_to_run)."""
    now = timezone.now()
    return [
        {"date": r.date, "changes": r.changes, "events": r.events}
        for r in (cycle.run_rent_cycle(d, as_of=now) for d in cycle.dates_to_run(now))
    ]


@shared_task(name="leases.charge_autopay")
def charge_autopay(attempt_ids: list[str]) -> dict:
    """Autopay attempts queued by the cycle (or the sweeper), one charge each."""
    results: dict[str, int] = {}
    for attempt_id in attempt_ids:
        outcome = services.autopay_attempt_run(attempt_id=attempt_id)
        results[outcome] = results.get(outcome, 0) + 1
    return results


@shared_task(name="leases.issue_refund")
def issue_refund(refund_id: str) -> str:
    """One card refund attempt (bounded, with backoff; the sweeper queues the next)."""
    return services.refund_attempt(refund_id=refund_id)


@shared_task(name="leases.sweep")
def sweep() -> dict:
    return services.rent_sweep()


@shared_task(name="leases.purge_stripe_events")
def purge_stripe_events() -> int:
    return services.stripe_events_purge()


@shared_task(
    name="leases.simulate_answer", autoretry_for=(OSError,), retry_backoff=2, max_retries=5
)
def simulate_answer(payment_id: str, decline_code: str) -> int:
    """Dev only (the payment simulator, as stripe-mock sends no webhooks): the signed
    answer to an autopay charge, delivered to the webhook like Stripe would: succeeded,
    or failed with the decline code the dev switch set."""
    return simulator.answer(Payment.objects.get(pk=payment_id), decline_code)
