"""Handlers the benchmark's consumers run (importable from spawned processes)."""

import time

from django.db import transaction
from django.db.models import F
from tests.testapp.models import Counter

LATENCIES: list[float] = []


def count(envelope) -> None:
    # One real write per event, like a projection update.
    updated = Counter.objects.filter(name=envelope.aggregate_id).update(value=F("value") + 1)
    if not updated:
        Counter.objects.create(name=envelope.aggregate_id, value=1)


def record_latency(envelope) -> None:
    count(envelope)
    occurred = envelope.occurred_at.timestamp()
    # Measured when the handler's transaction commits, i.e. when the effect is visible.
    transaction.on_commit(lambda: LATENCIES.append(time.time() - occurred))
