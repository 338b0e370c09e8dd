"""Per-client guards kept in each gateway process's memory: concurrent connections per
IP, invalid bearer tokens per IP, and a short negative cache of tokens auth_service
called invalid.

They protect the services from one abusive client, so they are checked before anything
costs a Redis round trip or an introspection call, and they keep working while Redis is
down. The price of keeping them in memory: each gateway process counts on its own, so
the effective budget is the configured one times the processes (GATEWAY_WORKERS times
replicas). That is the right trade for an abuse guard (nginx's limit_conn zone is per
node too); the user-facing rate limits stay exact and shared in Redis (ratelimit.py).
"""

from __future__ import annotations

import time
from collections import OrderedDict

from .config import RateLimit


class LocalRate:
    """GCRA per key, in memory: a burst of `limit`, then one per `period / limit`.
    Keys whose bucket is full again are forgotten; at most `max_keys` are kept (the
    least recently seen go first), so a flood of addresses cannot grow it unbounded."""

    def __init__(self, rate: RateLimit, *, max_keys: int = 100_000) -> None:
        self.emission = rate.period / rate.limit
        self.burst = rate.limit * self.emission
        self.max_keys = max_keys
        self._tat: OrderedDict[str, float] = OrderedDict()

    def _now_tat(self, key: str, now: float) -> float:
        tat = self._tat.get(key, now)
        return tat if tat > now else now

    def blocked(self, key: str, now: float | None = None) -> float:
        """Seconds until `key` may spend again (0: it may now). Spends nothing."""
        now = time.monotonic() if now is None else now
        tat = self._now_tat(key, now)
        wait = tat + self.emission - self.burst - now
        return max(0.0, wait)

    def spend(self, key: str, now: float | None = None) -> float:
        """Spend one unit; returns the seconds to wait if the budget was already gone
        (nothing spent then), else 0."""
        now = time.monotonic() if now is None else now
        wait = self.blocked(key, now)
        if wait:
            return wait
        self._tat[key] = self._now_tat(key, now) + self.emission
        self._tat.move_to_end(key)
        while len(self._tat) > self.max_keys:
            self._tat.popitem(last=False)
        return 0.0

    def prune(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for key in [k for k, tat in self._tat.items() if tat <= now]:
            del self._tat[key]


class NegativeCache:
    """Token keys auth_service called invalid, remembered for `seconds`: a client that
    repeats one bogus token costs one introspection call, not one per request. An
    invalid token never becomes valid, so there is nothing to invalidate."""

    def __init__(self, seconds: float, *, max_keys: int = 50_000) -> None:
        self.seconds = seconds
        self.max_keys = max_keys
        self._until: OrderedDict[str, float] = OrderedDict()

    def add(self, key: str) -> None:
        if self.seconds <= 0:
            return
        self._until[key] = time.monotonic() + self.seconds
        self._until.move_to_end(key)
        while len(self._until) > self.max_keys:
            self._until.popitem(last=False)

    def __contains__(self, key: str) -> bool:
        until = self._until.get(key)
        if until is None:
            return False
        if until < time.monotonic():
            del self._until[key]
            return False
        return True


class ConnectionCounter:
    """Open connections per client IP in this process; `limit` 0 means no limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: dict[str, int] = {}

    def admit(self, ip: str) -> bool:
        count = self.open.get(ip, 0)
        if self.limit and count >= self.limit:
            return False
        self.open[ip] = count + 1
        return True

    def release(self, ip: str) -> None:
        count = self.open.get(ip, 0) - 1
        if count > 0:
            self.open[ip] = count
        else:
            self.open.pop(ip, None)
