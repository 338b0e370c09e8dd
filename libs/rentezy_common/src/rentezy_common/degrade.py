"""Working on without a shared store: the pattern every Redis use on a request path
follows (the gateway's nonce check in each service, auth's login lockout).

Redis is shared state that makes a check exact across processes, not a reason to stop
serving. While it cannot be reached, a caller falls back to a per-process store and
says so in its logs; it asks Redis again after `retry_after` seconds, so one outage costs
each process one failed call per `retry_after`, not one per request, and recovery
needs no restart: the first call that succeeds switches back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

logger = logging.getLogger(__name__)


class SharedStoreGuard:
    """Whether to try the shared store now; thread-safe."""

    def __init__(self, name: str, *, retry_after: float = 1.0) -> None:
        self.name = name
        self.retry_after = retry_after
        self._down_until = 0.0
        self._degraded = False
        self._lock = threading.Lock()

    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    @property
    def degraded(self) -> bool:
        return self._degraded

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_after
            if not self._degraded:
                self._degraded = True
                logger.error(
                    "%s unavailable, continuing with per-process state: %r", self.name, exc
                )

    def succeeded(self) -> None:
        if self._degraded:
            with self._lock:
                if self._degraded:
                    self._degraded = False
                    logger.warning("%s is back; shared state restored", self.name)


class ExpiringSet:
    """Keys remembered for `seconds` each, at most `max_keys` (oldest dropped first);
    thread-safe. The per-process stand-in for `SET key NX EX seconds`."""

    def __init__(self, *, max_keys: int = 200_000) -> None:
        self.max_keys = max_keys
        self._until: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str, seconds: float) -> bool:
        """Remember `key`; False if it was already remembered (and not expired)."""
        now = time.monotonic()
        with self._lock:
            # Entries go in time order (one lifetime per use), so expired ones sit first.
            while self._until:
                oldest, until = next(iter(self._until.items()))
                if until > now and len(self._until) < self.max_keys:
                    break
                del self._until[oldest]
            until = self._until.get(key)
            if until is not None and until > now:
                return False
            self._until[key] = now + seconds
            return True

    def __len__(self) -> int:
        return len(self._until)
