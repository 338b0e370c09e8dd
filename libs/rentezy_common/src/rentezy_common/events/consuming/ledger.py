"""The processed-event ledger: which events a consumer group has already applied.

Delivery is at least once, so a consumer sees some events twice (a relay that
re-published after a crash, offsets rewound, a rebalance before a commit). Recording the
event ids in `rentezy_events_processedevent` in the same transaction as the handler's
writes makes a redelivered event change state once: `Ledger.record` is the one duplicate
filter of the runner. A consumer whose handler is idempotent by itself (Elasticsearch
external versions) runs with `ledger=False`: `Unrecorded` then filters nothing and opens
no transaction, so replaying a topic into a rebuilt store re-applies everything and the
handler does not stall while the database is away.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from contextlib import AbstractContextManager

from django.db import connection, transaction

from ..envelope import EventEnvelope
from ..models import ProcessedEvent
from .spec import ConsumerSpec

PROCESSED_TABLE = ProcessedEvent._meta.db_table


class Ledger:
    """The ledger rows of one consumer group; used inside `transaction()`."""

    def __init__(self, group: str) -> None:
        self.group = group

    def transaction(self) -> AbstractContextManager:
        """The transaction the handler runs in, with the ledger rows it records."""
        return transaction.atomic()

    def record(self, envelopes: list[EventEnvelope]) -> list[EventEnvelope]:
        """Record the batch's event ids (one INSERT) and return the envelopes applied
        for the first time: in offset order, each event once (a batch may hold the same
        event twice)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PROCESSED_TABLE} (consumer, event_id, processed_at) "
                "SELECT %s, id, now() FROM unnest(%s::uuid[]) AS id "
                "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id",
                [self.group, [envelope.id for envelope in envelopes]],
            )
            new = {row[0] for row in cursor.fetchall()}
        fresh = []
        for envelope in envelopes:
            if envelope.id in new:
                new.discard(envelope.id)  # a later copy in this batch is a duplicate
                fresh.append(envelope)
        return fresh

    def forget(self, event_ids: Iterable[uuid.UUID]) -> None:
        """Take rejected events out of the ledger, so replaying their dead letters
        after a fix is not mistaken for a duplicate."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {PROCESSED_TABLE} WHERE consumer = %s AND event_id = ANY(%s)",
                [self.group, list(event_ids)],
            )


class Unrecorded:
    """`ledger=False`: nothing recorded, nothing filtered, no transaction."""

    def transaction(self) -> AbstractContextManager:
        return contextlib.nullcontext()

    def record(self, envelopes: list[EventEnvelope]) -> list[EventEnvelope]:
        return envelopes

    def forget(self, event_ids: Iterable[uuid.UUID]) -> None:
        pass


def ledger_for(spec: ConsumerSpec) -> Ledger | Unrecorded:
    """The spec's ledger: its group's rows, or none when `spec.ledger` is off."""
    return Ledger(spec.group) if spec.ledger else Unrecorded()
