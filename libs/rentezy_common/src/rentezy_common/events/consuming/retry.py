"""Retrying with exponential backoff: the one loop behind every wait of the runner.

The runner retries three things: the start hook (until it succeeds), a batch whose
dependency is away (until it is back), and a single failing event (until its attempts
run out). They differ only in how many attempts they allow and which errors end the
loop at once, so they share `retry()`. Errors that are not the message's fault (a lost
database connection, `DependencyUnavailable`) spend no attempts: an outage stalls the
consumer, visibly in its lag and logs, instead of emptying the topic into the
dead-letter topic. Waiting is on the runner's stop event, so SIGTERM ends a wait at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

from .spec import DependencyUnavailable

T = TypeVar("T")


class GaveUp(Exception):
    """`retry()` stopped trying: `error` was final, or the attempts ran out."""

    def __init__(self, error: BaseException, attempts: int) -> None:
        super().__init__(error, attempts)
        self.error = error
        self.attempts = attempts  # attempts spent, the last one included


class Stopped(Exception):
    """The stop event was set while `retry()` waited for its next attempt."""


@dataclass(frozen=True)
class Backoff:
    """Delays between attempts: `initial` seconds, doubling up to `maximum`."""

    initial: float
    maximum: float

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            yield delay
            delay = min(delay * 2, self.maximum)


def database_lost(exc: BaseException) -> bool:
    """The database connection is gone (dropped, refused), as opposed to an error of
    the statement: a deadlock or a statement timeout leaves the connection usable."""
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        return connection.connection is None or not connection.is_usable()
    return False


def not_the_messages_fault(exc: BaseException) -> bool:
    """Errors that retrying the same message can outlast without spending attempts."""
    return isinstance(exc, DependencyUnavailable) or database_lost(exc)


def _never(exc: BaseException) -> bool:
    return False


def retry(
    call: Callable[[], T],
    *,
    backoff: Backoff,
    stop: threading.Event,
    attempts: int | None = None,
    free: Callable[[BaseException], bool] = _never,
    final: Callable[[BaseException], bool] = _never,
    on_retry: Callable[[BaseException, int, bool], None] | None = None,
) -> T:
    """`call()`'s result, calling it again with backoff while it raises.

    A failure for which `free(error)` holds spends no attempt. Raises `GaveUp` when
    `final(error)` holds or `attempts` attempts were spent (None: no limit), `Stopped`
    when `stop` is set while waiting. `on_retry(error, attempts spent, free)` is called
    before each wait (to log and count)."""
    delays = backoff.delays()
    spent = 0
    while True:
        try:
            return call()
        except Exception as exc:
            is_free = free(exc)
            if not is_free:
                spent += 1
            if final(exc) or (attempts is not None and spent >= attempts):
                raise GaveUp(exc, spent) from exc
            if on_retry is not None:
                on_retry(exc, spent, is_free)
            if stop.wait(next(delays)):
                raise Stopped() from exc
