"""Applying messages: the one path from fetched Kafka messages to settled ones.

A message is *settled* when its effects are committed (or it was a duplicate) or it is
durably in the dead-letter topic; only settled messages get their offsets stored. Every
consumer goes the same way, because a per-event `handler` is wrapped as a batch handler
that calls it for each envelope (`one_by_one`):

1. Messages are decoded in offset order; one that is not an envelope is dead-lettered
   at once, and the runs of envelopes between such messages are applied as batches.
2. `Applier.apply` applies a batch in one transaction (when the ledger is on: one
   ledger INSERT filters the duplicates, the handler runs, rejected events are
   forgotten again). A batch handler may return `{event id: exception}` for events it
   rejects as malformed: they are dead-lettered at once and the rest count as handled.
3. If the batch fails because a dependency is away (`DependencyUnavailable`, a lost
   database connection), it is retried whole with backoff, spending no attempts.
4. Any other failure isolates the failing event. A per-event handler names it: the
   events before it are committed on their own (they succeeded a moment ago), it is
   retried alone, and the events after it go on as the next batch. A batch handler
   cannot say which event failed, so each event of the batch is retried alone.
5. Alone, an event is retried with backoff up to `max_attempts` (dependency outages
   still spend none) and then dead-lettered; `RejectedEvent` dead-letters it at once.
   `max_consecutive_dead_letters` dead letters in a row stop the consumer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from confluent_kafka import Message

from ..envelope import EventEnvelope, InvalidEnvelope
from .applying import Applied, Applier, EventFailed, handler_error
from .deadletters import DeadLetters
from .retry import Backoff, GaveUp, Stopped, not_the_messages_fault, retry
from .spec import ConsumerSpec, DeadLetterLimitExceeded, RejectedEvent

logger = logging.getLogger(__name__)


class Processor:
    """Settles fetched messages in offset order; see the module docstring."""

    def __init__(
        self,
        spec: ConsumerSpec,
        *,
        stop: threading.Event,
        stats: dict[str, int],
        dead_letters: DeadLetters,
        store_offsets: Callable[[list[Message]], None],
    ) -> None:
        self.spec = spec
        self.applier = Applier(spec)
        self.stop = stop
        self.stats = stats
        self.dead_letters = dead_letters
        self.store_offsets = store_offsets
        self.backoff = Backoff(spec.backoff_initial, spec.backoff_max)
        self.consecutive_dead_letters = 0

    def process(self, messages: list[Message]) -> None:
        """Settle `messages` (one poll's worth, in offset order) unless stopped first:
        a message left unsettled keeps its offset for the next owner."""
        decoded = [_decode(message) for message in messages]
        start = 0
        while start < len(messages) and not self.stop.is_set():
            if isinstance(decoded[start], InvalidEnvelope):
                self._dead_letter(messages[start], decoded[start], attempts=1)
                start += 1
                continue
            end = start + 1
            while end < len(messages) and not isinstance(decoded[end], InvalidEnvelope):
                end += 1
            settled = self._settle_batch(messages[start:end], decoded[start:end])
            if settled is None:
                return
            start += settled

    def _settle_batch(self, messages: list[Message], envelopes: list) -> int | None:
        """Settle a leading part of a run of envelopes; how many, or None if stopped."""
        try:
            applied = retry(
                lambda: self.applier.apply(envelopes),
                backoff=self.backoff,
                stop=self.stop,
                attempts=1,  # only waiting out a dependency; failures are isolated below
                free=not_the_messages_fault,
                on_retry=self._log_batch_retry,
            )
        except Stopped:
            return None
        except GaveUp as gave_up:
            return self._isolate(messages, envelopes, gave_up.error)
        self._settled(messages, envelopes, applied)
        return len(messages)

    def _isolate(self, messages: list[Message], envelopes: list, error: BaseException):
        """After a batch failed: retry the failing event alone (see the module
        docstring). Returns how many messages are settled, or None if stopped."""
        if not isinstance(error, EventFailed):
            logger.warning(
                "batch failed; handling it one event at a time",
                extra={"consumer": self.spec.group, "error": repr(error)},
            )
            for message, envelope in zip(messages, envelopes, strict=True):
                if not self._settle_alone(message, envelope):
                    return None
            return len(messages)
        failed_at = next(i for i, envelope in enumerate(envelopes) if envelope is error.envelope)
        if failed_at:
            try:
                applied = self.applier.apply(envelopes[:failed_at])
            except Exception:  # it failed now: start again from the first, alone
                failed_at = 0
            else:
                self._settled(messages[:failed_at], envelopes[:failed_at], applied)
        if not self._settle_alone(messages[failed_at], envelopes[failed_at]):
            return None
        return failed_at + 1

    def _settle_alone(self, message: Message, envelope: EventEnvelope) -> bool:
        """One event with retries, dead-lettered when they run out. False only when
        stopped before it was settled."""

        def attempt() -> Applied:
            applied = self.applier.apply([envelope])
            if envelope.id in applied.rejected:  # a batch handler's rejection
                reason = applied.rejected[envelope.id]
                raise RejectedEvent(str(reason)) from reason
            return applied

        try:
            applied = retry(
                attempt,
                backoff=self.backoff,
                stop=self.stop,
                attempts=self.spec.max_attempts,
                free=lambda exc: not_the_messages_fault(handler_error(exc)),
                final=lambda exc: isinstance(handler_error(exc), RejectedEvent),
                on_retry=lambda exc, spent, free: self._log_event_retry(envelope, exc, spent, free),
            )
        except Stopped:
            return False
        except GaveUp as gave_up:
            error = handler_error(gave_up.error)
            if isinstance(error, RejectedEvent):
                # The reason (e.g. the payload's validation error) names the fault.
                error = error.__cause__ or error
            self._dead_letter(message, error, attempts=gave_up.attempts)
            return True
        self._settled([message], [envelope], applied)
        return True

    def _settled(self, messages: list[Message], envelopes: list, applied: Applied) -> None:
        """A batch committed: count it, dead-letter its rejected events, store offsets."""
        self.stats["handled"] += applied.handled
        self.stats["duplicates"] += applied.duplicates
        handled = False
        for message, envelope in zip(messages, envelopes, strict=True):
            if envelope.id in applied.rejected:
                # Durable in the dead-letter topic now; its offset is stored below with
                # the rest of the batch, once everything before it is settled too.
                reason = applied.rejected[envelope.id]
                self._dead_letter(message, reason, attempts=1, store_offset=False)
            else:
                handled = True
        if handled:
            self.consecutive_dead_letters = 0
        self.store_offsets(messages)

    def _dead_letter(
        self, message: Message, error: BaseException, *, attempts: int, store_offset=True
    ) -> None:
        self.dead_letters.write(message, error, attempts=attempts)
        if store_offset:
            self.store_offsets([message])
        self.stats["dead_lettered"] += 1
        self.consecutive_dead_letters += 1
        if self.consecutive_dead_letters >= self.spec.max_consecutive_dead_letters:
            raise DeadLetterLimitExceeded(
                f"{self.consecutive_dead_letters} messages in a row dead-lettered; stopping "
                "(a broken deploy or dependency, not bad messages)"
            )

    def _log_batch_retry(self, error: BaseException, spent: int, free: bool) -> None:
        self.stats["retries"] += 1
        logger.warning(
            "dependency unavailable, waiting",
            extra={"consumer": self.spec.group, "error": repr(error)},
        )

    def _log_event_retry(
        self, envelope: EventEnvelope, error: BaseException, spent: int, free: bool
    ) -> None:
        self.stats["retries"] += 1
        logger.warning(
            "dependency unreachable, waiting" if free else "handler failed",
            extra={
                "event_id": str(envelope.id),
                "attempt": spent,
                "error": repr(handler_error(error)),
            },
        )


def _decode(message: Message) -> EventEnvelope | InvalidEnvelope:
    try:
        return EventEnvelope.from_json(message.value())
    except InvalidEnvelope as exc:
        return exc
