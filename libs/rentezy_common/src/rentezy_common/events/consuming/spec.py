"""What a consumer is: `ConsumerSpec`, and the errors a handler raises to tell the
runner what kind of failure it met.

A service lists its consumers in `config/consumers.py` (settings.RENTEZY_CONSUMERS; the
registry's functions are in `rentezy_common.events.consumer`) and runs one with
`manage.py run_consumer <name>`; this module only describes them, so a service's
consumer list can import it without pulling in Kafka or the processing code.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from ..envelope import EventEnvelope

Handler = Callable[[EventEnvelope], None]
# Returns the events it rejects as malformed ({event id: reason}), or None.
BatchHandler = Callable[[list[EventEnvelope]], "Mapping[uuid.UUID, BaseException] | None"]


class DeadLetterLimitExceeded(RuntimeError):
    """`max_consecutive_dead_letters` messages in a row were dead-lettered: a broken
    deploy or dependency, not bad messages, so the consumer stops."""


class RejectedEvent(Exception):
    """Raised by a handler for an event it can never handle (e.g. a payload missing
    required fields): the event goes to the dead-letter topic at once, without retries."""


class DependencyUnavailable(Exception):
    """Raised by a handler when something it writes to (a search index, a remote API)
    cannot be reached: not the message's fault. The runner retries with backoff without
    spending the message's attempts, as it does for a lost database connection, so an
    outage stalls the consumer (visible as lag) instead of dead-lettering traffic."""


@dataclass(frozen=True)
class ConsumerSpec:
    name: str
    topics: Sequence[str]
    handler: Handler | str | None = None  # a function, or its dotted path
    group_id: str | None = None  # default "<service>.<name>"
    dead_letter_topic: str | None = None  # default "<group_id>.dlq"
    max_attempts: int = 5
    backoff_initial: float = 0.5  # seconds; doubles per attempt
    backoff_max: float = 30.0
    max_consecutive_dead_letters: int = 20
    batch_size: int = 200  # messages handled per database transaction
    # Instead of `handler`: called once per batch with its envelopes (see consumer.py).
    batch_handler: BatchHandler | str | None = None
    # Record handled event ids in the processed-event ledger (skip redeliveries). Off
    # only for handlers that are idempotent by themselves.
    ledger: bool = True
    # Called once before consuming (e.g. create the index the handler writes to); if
    # it raises, it is retried with backoff until it succeeds or the consumer stops.
    on_start: Callable[[], None] | str | None = None

    def __post_init__(self) -> None:
        if (self.handler is None) == (self.batch_handler is None):
            raise ValueError(
                f"consumer {self.name!r}: give exactly one of handler or batch_handler"
            )

    @property
    def group(self) -> str:
        return self.group_id or f"{settings.SERVICE_NAME}.{self.name}"

    @property
    def dlq(self) -> str:
        return self.dead_letter_topic or f"{self.group}.dlq"


def resolve(target: Any) -> Any:
    """A spec's callable: given as the object itself or as its dotted path."""
    return import_string(target) if isinstance(target, str) else target
