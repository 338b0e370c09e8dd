"""Per-user send limits (CHAT_SEND_LIMIT messages per CHAT_SEND_LIMIT_WINDOW_SECONDS),
counted in Redis so they hold across sockets, requests and processes.

Redis down degrades, it does not stop (docs/architecture/resilience.md): each process
counts in its own memory meanwhile (looser by the number of processes, never stricter),
and asks Redis again a second later (rentezy_common.degrade.SharedStoreGuard).
"""

from __future__ import annotations

import threading
import time

import redis
from django.conf import settings

from rentezy_common.degrade import SharedStoreGuard

from .errors import RateLimited

_guard = SharedStoreGuard("chat send limits (Redis)", retry_after=1.0)
_client: redis.Redis | None = None
_local: dict[tuple[str, int], int] = {}
_lock = threading.Lock()


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _client


def _count_locally(key: tuple[str, int]) -> int:
    with _lock:
        window = key[1]
        for old in [k for k in _local if k[1] < window]:
            del _local[old]
        _local[key] = _local.get(key, 0) + 1
        return _local[key]


def send_allowed(user_id: str, *, now: float | None = None) -> None:
    """Count one message of `user_id`, or raise RateLimited (with the seconds to wait)."""
    limit = settings.CHAT_SEND_LIMIT
    size = settings.CHAT_SEND_LIMIT_WINDOW_SECONDS
    now = time.time() if now is None else now
    window = int(now // size)
    count = None
    if _guard.available():
        key = f"chat:sends:{user_id}:{window}"
        try:
            with _redis().pipeline(transaction=False) as pipe:
                pipe.incr(key)
                pipe.expire(key, size * 2)
                count = pipe.execute()[0]
        except (redis.RedisError, OSError) as exc:
            _guard.failed(exc)
        else:
            _guard.succeeded()
    if count is None:
        count = _count_locally((user_id, window))
    if count > limit:
        raise RateLimited(retry_after=max(1, int((window + 1) * size - now + 0.999)))
