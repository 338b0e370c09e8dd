"""Handlers the benchmark's consumers run (importable from spawned processes).

Both make one real write per event, like a projection update: `upsert` in one SQL
statement (how a hot consumer would write it), `orm` through the Django ORM (the
typical first version). The difference between them is the handler's own cost, not
the consumer runner's.
"""

import time

from django.db import connection, transaction
from django.db.models import F
from tests.testapp.models import Counter

LATENCIES: list[float] = []
_TABLE = Counter._meta.db_table


def upsert(envelope) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (name, value, last_version) VALUES (%s, 1, %s) "
            f"ON CONFLICT (name) DO UPDATE SET value = {_TABLE}.value + 1, "
            "last_version = EXCLUDED.last_version",
            [envelope.aggregate_id, envelope.version],
        )


def orm(envelope) -> None:
    updated = Counter.objects.filter(name=envelope.aggregate_id).update(
        value=F("value") + 1, last_version=envelope.version
    )
    if not updated:
        Counter.objects.create(name=envelope.aggregate_id, value=1, last_version=envelope.version)


def record_latency(envelope) -> None:
    upsert(envelope)
    occurred = envelope.occurred_at.timestamp()
    # Measured when the handler's transaction commits, i.e. when the effect is visible.
    transaction.on_commit(lambda: LATENCIES.append(time.time() - occurred))
