"""Consumer runner: a registry of consumers, idempotent handling, retries, dead letters.

A service lists its consumers in `config/consumers.py` (settings.RENTEZY_CONSUMERS):

    CONSUMERS = [
        ConsumerSpec(name="inventory", topics=["property-events"],
                     handler="inventory.handlers.on_property_event"),
    ]

and runs each with `manage.py run_consumer inventory`. A handler is a plain function
taking an `EventEnvelope`; it runs inside a transaction that also records the event id
in the processed-event ledger, so a redelivered event changes state once.

Batches: the messages fetched together are applied in one transaction (one ledger
INSERT for all their ids, then each handler); if a handler fails, that transaction is
rolled back, the messages before the failing one are committed on their own, and the
failing one is retried alone.
Offsets: committed only for messages whose transaction committed (or that went to the
dead-letter topic); commits are throttled by librdkafka's auto-commit of *stored*
offsets, and flushed synchronously on rebalance and shutdown.
Failures: a handler error is retried with exponential backoff up to `max_attempts`
(a lost database connection is waited out without spending attempts);
then the message goes to `<group>.dlq` with the error in its headers and the consumer
moves on. A message that is not an envelope goes there at once, and so does an event
whose handler raises `RejectedEvent` (it can never be handled: retrying cannot help). A
handler that raises `DependencyUnavailable` (its search index, a remote API is down)
is waited out like a lost database: retried with backoff without spending attempts. If
`max_consecutive_dead_letters` messages in a row fail, the consumer stops instead:
that is a bad deploy or a dead dependency, not bad messages.

Batch handlers: a consumer whose work is cheaper in bulk (one Elasticsearch `_bulk`
request per batch) gives `batch_handler` instead of `handler`. It receives the
envelopes of a batch in offset order (duplicates already filtered when the ledger is
on) and returns None, or a mapping `{event id: exception}` of the events it rejects as
malformed: those go to the dead-letter topic at once, the rest count as handled. If it
raises `DependencyUnavailable` (or the database is lost) the whole batch is retried
with backoff; any other exception makes the runner handle the batch again one event at
a time (the batch handler called with one envelope), with the usual retries and dead
letters, so one bad event cannot block the others.
`ledger=False` is for handlers that are idempotent by themselves (e.g. Elasticsearch
external versions): the processed-event ledger is neither written nor consulted, and
the runner opens no database transaction around the handler. Replaying a topic into a
rebuilt store then re-applies everything, which is what such a consumer wants.

This module is the public face of the runner and holds the service's registry
(`registered_consumers`, `get_consumer`: tests replace the registry here); the code lives
in `rentezy_common.events.consuming` (spec, ledger, retry, applying, processing,
deadletters, runner), one module per job.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.module_loading import import_string

from .consuming.applying import Applied, Applier, EventFailed
from .consuming.deadletters import DeadLetters, replay_dead_letters, waiting_dead_letters
from .consuming.ledger import PROCESSED_TABLE, Ledger
from .consuming.processing import Processor
from .consuming.retry import Backoff, GaveUp, Stopped, not_the_messages_fault, retry
from .consuming.runner import ConsumerRunner
from .consuming.spec import (
    BatchHandler,
    ConsumerSpec,
    DeadLetterLimitExceeded,
    DependencyUnavailable,
    Handler,
    RejectedEvent,
)

__all__ = [
    "PROCESSED_TABLE",
    "Applied",
    "Applier",
    "Backoff",
    "BatchHandler",
    "ConsumerRunner",
    "ConsumerSpec",
    "DeadLetterLimitExceeded",
    "DeadLetters",
    "DependencyUnavailable",
    "EventFailed",
    "GaveUp",
    "Handler",
    "Ledger",
    "Processor",
    "RejectedEvent",
    "Stopped",
    "get_consumer",
    "not_the_messages_fault",
    "registered_consumers",
    "replay_dead_letters",
    "retry",
    "waiting_dead_letters",
]


def registered_consumers() -> dict[str, ConsumerSpec]:
    """The service's consumers by name (empty if it has no `config/consumers.py`)."""
    try:
        specs: Iterable[ConsumerSpec] = import_string(settings.RENTEZY_CONSUMERS)
    except ImportError:
        return {}
    return {spec.name: spec for spec in specs}


def get_consumer(name: str) -> ConsumerSpec:
    """The registered consumer called `name`; KeyError naming the known ones if none."""
    consumers = registered_consumers()
    if name not in consumers:
        known = ", ".join(sorted(consumers)) or "none"
        raise KeyError(f"no consumer named {name!r} in this service (registered: {known})")
    return consumers[name]
