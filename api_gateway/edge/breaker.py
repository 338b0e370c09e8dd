"""A circuit breaker per upstream, per gateway process.

closed → (N consecutive connection failures or timeouts) → open: fail fast with 503 for
`reset_after` seconds → half-open: one trial request goes through; success closes the
breaker, failure opens it again. Only failures to reach the upstream count: an upstream
that answers, even with a 500, is up. Each process learns on its own; with the default
threshold a dead upstream costs each process a handful of failed connections.
"""

from __future__ import annotations

import time

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    def __init__(self, name: str, *, threshold: int = 5, reset_after: float = 5.0) -> None:
        self.name = name
        self.threshold = threshold
        self.reset_after = reset_after
        self.failures = 0
        self.opened_at = 0.0
        self.state = CLOSED
        self._trial_in_flight = False

    def allow(self) -> bool:
        if self.state == CLOSED:
            return True
        if self.state == OPEN and time.monotonic() - self.opened_at >= self.reset_after:
            self.state = HALF_OPEN
            self._trial_in_flight = False
        if self.state == HALF_OPEN and not self._trial_in_flight:
            self._trial_in_flight = True
            return True
        return False

    def retry_after(self) -> int:
        remaining = self.reset_after - (time.monotonic() - self.opened_at)
        return max(1, int(remaining + 0.999))

    def success(self) -> None:
        self.failures = 0
        self.state = CLOSED
        self._trial_in_flight = False

    def failure(self) -> None:
        self.failures += 1
        self._trial_in_flight = False
        if self.state == HALF_OPEN or self.failures >= self.threshold:
            self.state = OPEN
            self.opened_at = time.monotonic()
