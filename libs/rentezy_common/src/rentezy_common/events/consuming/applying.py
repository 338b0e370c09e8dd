"""Applying one batch of envelopes: the transactional step every message goes through.

`Applier.apply` runs the ledger's duplicate filter and the handler in one transaction
(when the ledger is on), all or nothing, and reports what it did. It neither retries
nor dead-letters: `processing.Processor` decides that for live traffic, and
`deadletters.replay_dead_letters` calls the same step, so a replayed event is applied
exactly as it would have been the first time. A per-event handler becomes a batch
handler here (`one_by_one`), so there is one way to apply events whichever a spec gives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import connection

from ..envelope import EventEnvelope
from .ledger import ledger_for
from .spec import BatchHandler, ConsumerSpec, Handler, resolve


class EventFailed(Exception):
    """A per-event handler raised on `envelope` (the handler's error is the cause)."""

    def __init__(self, envelope: EventEnvelope) -> None:
        super().__init__(str(envelope.id))
        self.envelope = envelope


def one_by_one(handler: Handler) -> BatchHandler:
    """A per-event handler as a batch handler: called for each envelope in order; a
    failure names the event it failed on, so the batch can be split around it."""

    def handle(envelopes: list[EventEnvelope]) -> None:
        for envelope in envelopes:
            try:
                handler(envelope)
            except Exception as exc:
                raise EventFailed(envelope) from exc

    return handle


def handler_error(exc: BaseException) -> BaseException:
    """The handler's own error behind an `EventFailed`: what retries and dead letters
    judge and report."""
    if isinstance(exc, EventFailed) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


@dataclass
class Applied:
    """What one committed batch did."""

    handled: int = 0
    duplicates: int = 0  # already in the ledger, or earlier in the same batch
    rejected: dict[uuid.UUID, BaseException] = field(default_factory=dict)


class Applier:
    """The transactional step: a batch of envelopes through the ledger and the handler.

    Public: dead-letter replay and tests apply events exactly as live traffic does."""

    def __init__(self, spec: ConsumerSpec) -> None:
        self.ledger = ledger_for(spec)
        if spec.batch_handler is not None:
            self.handle: BatchHandler = resolve(spec.batch_handler)
        else:
            self.handle = one_by_one(resolve(spec.handler))

    def apply(self, envelopes: list[EventEnvelope]) -> Applied:
        """Apply `envelopes` all or nothing: in one transaction when the ledger is on,
        skipping events it already holds. Raises what the handler raised (a per-event
        handler's error wrapped in `EventFailed`), after rolling back."""
        try:
            with self.ledger.transaction():
                fresh = self.ledger.record(envelopes)
                answer = self.handle(fresh) if fresh else None
                rejected: dict[uuid.UUID, BaseException] = {}
                if answer:
                    ids = {envelope.id for envelope in fresh}
                    rejected = {key: value for key, value in answer.items() if key in ids}
                    if rejected:
                        self.ledger.forget(rejected)
        except Exception:
            _reset_connection()
            raise
        return Applied(
            handled=len(fresh) - len(rejected),
            duplicates=len(envelopes) - len(fresh),
            rejected=rejected,
        )


def _reset_connection() -> None:
    # After a database error the connection may be unusable; Django reconnects on the
    # next query once it is closed.
    if connection.connection is not None and not connection.is_usable():
        connection.close()
