"""Failed-login lockout per account, counted in Redis (the Django cache).

Failures are counted per normalised email, whether or not an account has it, so the
lockout reveals nothing about which emails are registered. After
AUTH_LOGIN_MAX_FAILURES failures within AUTH_LOGIN_FAILURE_WINDOW_SECONDS (counted from
the first failure), the email is locked for AUTH_LOGIN_LOCKOUT_SECONDS: every attempt,
even with the right password, gets 429 with Retry-After. A successful login resets the
count. Keys hold a hash of the email, not the email itself.

While Redis cannot be reached, sign-in keeps working: the counters live in this
process's memory (rentezy_common.degrade) until Redis answers again. The lockout then
holds per process, so a guesser spread over N processes gets N times the attempts for
those seconds; the gateway's per-IP login limit still applies (counted per gateway
process while Redis is down). Refusing every sign-in instead would turn a Redis outage
into a platform outage.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time

from django.conf import settings
from django.core.cache import cache

from rentezy_common.degrade import SharedStoreGuard

from .errors import TooManyAttempts
from .models import normalize_email

logger = logging.getLogger(__name__)


class _LocalCounters:
    """The few cache calls the lockout makes, in this process (value, expiry) per key."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._items: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str):
        item = self._items.get(key)
        if item is None or item[1] <= time.time():
            self._items.pop(key, None)
            return None
        return item

    def get(self, key: str):
        with self._lock:
            item = self._live(key)
            return None if item is None else item[0]

    def set(self, key: str, value: float, timeout: float) -> None:
        with self._lock:
            if len(self._items) >= self.max_keys:
                self._items.clear()  # a flood of emails: forget, rather than grow
            self._items[key] = (value, time.time() + timeout)

    def incr(self, key: str, timeout: float) -> int:
        with self._lock:
            item = self._live(key)
            value = (item[0] if item else 0) + 1
            expires = item[1] if item else time.time() + timeout
            self._items[key] = (value, expires)
            return int(value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


_local = _LocalCounters()
_guard = SharedStoreGuard("login lockout store (Redis)", retry_after=1.0)


def _keys(email: str) -> tuple[str, str]:
    digest = hashlib.sha256(normalize_email(email).encode("utf-8")).hexdigest()[:40]
    return f"login-failures:{digest}", f"login-locked:{digest}"


def _shared(operation):
    """Run `operation` against Redis; None (after noting the outage) if it cannot."""
    if not _guard.available():
        return None
    try:
        result = operation()
    except Exception as exc:  # redis.RedisError, OSError: the cache is unreachable
        _guard.failed(exc)
        return None
    _guard.succeeded()
    return (result,)


def login_lock_check(email: str) -> None:
    """Raise TooManyAttempts while the email is locked."""
    _, lock_key = _keys(email)
    shared = _shared(lambda: cache.get(lock_key))
    locked_until = _local.get(lock_key) if shared is None else shared[0]
    if locked_until is None:
        return
    remaining = math.ceil(float(locked_until) - time.time())
    if remaining > 0:
        raise TooManyAttempts(retry_after=remaining)


def _count_failure_in_redis(failures_key: str) -> int:
    # add() is SET NX with the window as expiry: the window starts at the first
    # failure. incr() is Redis INCR, atomic across every replica.
    window = settings.AUTH_LOGIN_FAILURE_WINDOW_SECONDS
    cache.add(failures_key, 0, timeout=window)
    try:
        return cache.incr(failures_key)
    except ValueError:  # the window expired between add and incr
        cache.set(failures_key, 1, timeout=window)
        return 1


def login_failure_record(email: str) -> None:
    """Count one failed attempt; lock the email when the limit is reached."""
    failures_key, lock_key = _keys(email)
    window = settings.AUTH_LOGIN_FAILURE_WINDOW_SECONDS
    shared = _shared(lambda: _count_failure_in_redis(failures_key))
    failures = _local.incr(failures_key, window) if shared is None else shared[0]
    if failures >= settings.AUTH_LOGIN_MAX_FAILURES:
        lockout = settings.AUTH_LOGIN_LOCKOUT_SECONDS
        until = time.time() + lockout

        def lock() -> None:
            cache.set(lock_key, until, timeout=lockout)
            cache.delete(failures_key)

        if _shared(lock) is None:
            _local.set(lock_key, until, lockout)
            _local.delete(failures_key)
        logger.warning("sign-in locked after %s failures", failures)


def login_failures_reset(email: str) -> None:
    failures_key, _ = _keys(email)
    _local.delete(failures_key)
    _shared(lambda: cache.delete(failures_key))
