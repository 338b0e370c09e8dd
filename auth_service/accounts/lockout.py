"""Failed-login lockout per account, counted in Redis (the Django cache).

Failures are counted per normalised email, whether or not an account has it, so the
lockout reveals nothing about which emails are registered. After
AUTH_LOGIN_MAX_FAILURES failures within AUTH_LOGIN_FAILURE_WINDOW_SECONDS (counted from
the first failure), the email is locked for AUTH_LOGIN_LOCKOUT_SECONDS: every attempt,
even with the right password, gets 429 with Retry-After. A successful login resets the
count. Keys hold a hash of the email, not the email itself.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

from rentezy_common.errors import ApiError, ServiceUnavailable

from .models import normalize_email

logger = logging.getLogger(__name__)


class TooManyAttempts(ApiError):
    status_code = 429
    code = "too_many_attempts"
    message = "Too many failed sign-in attempts. Try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


def _keys(email: str) -> tuple[str, str]:
    digest = hashlib.sha256(normalize_email(email).encode("utf-8")).hexdigest()[:40]
    return f"login-failures:{digest}", f"login-locked:{digest}"


def _redis_unavailable(exc: Exception) -> ServiceUnavailable:
    # Without the counters we can neither enforce nor record a lockout: refuse rather
    # than let unlimited guesses through.
    logger.error("login lockout store unavailable: %s", exc)
    return ServiceUnavailable("Sign-in is unavailable right now; try again shortly.")


def login_lock_check(email: str) -> None:
    """Raise TooManyAttempts while the email is locked."""
    _, lock_key = _keys(email)
    try:
        locked_until = cache.get(lock_key)
    except Exception as exc:
        raise _redis_unavailable(exc) from exc
    if locked_until is None:
        return
    remaining = math.ceil(float(locked_until) - time.time())
    if remaining > 0:
        raise TooManyAttempts(retry_after=remaining)


def login_failure_record(email: str) -> None:
    """Count one failed attempt; lock the email when the limit is reached."""
    failures_key, lock_key = _keys(email)
    try:
        # add() is SET NX with the window as expiry: the window starts at the first
        # failure. incr() is Redis INCR, atomic across every replica.
        cache.add(failures_key, 0, timeout=settings.AUTH_LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            failures = cache.incr(failures_key)
        except ValueError:  # the window expired between add and incr
            cache.set(failures_key, 1, timeout=settings.AUTH_LOGIN_FAILURE_WINDOW_SECONDS)
            failures = 1
        if failures >= settings.AUTH_LOGIN_MAX_FAILURES:
            lockout = settings.AUTH_LOGIN_LOCKOUT_SECONDS
            cache.set(lock_key, time.time() + lockout, timeout=lockout)
            cache.delete(failures_key)
            logger.warning("sign-in locked after %s failures", failures)
    except Exception as exc:
        raise _redis_unavailable(exc) from exc


def login_failures_reset(email: str) -> None:
    failures_key, _ = _keys(email)
    try:
        cache.delete(failures_key)
    except Exception as exc:
        raise _redis_unavailable(exc) from exc
