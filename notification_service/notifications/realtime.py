"""The live push: the channel layer (channels-redis pub/sub) carries each new
notification to every open tab of its recipient, on every web process. A wake-up only:
PostgreSQL is the inbox, and a tab that misses a push (Redis down, it was offline)
sees the notification in `GET /api/notifications/` and the count in its next `ready`.

Groups: `notify.u.<user id>`, every socket of one user. Frames through them (`type`
names the socket's handler):

    notify.new      a notification (its representation) and the user's unread count
    notify.unread   the unread count changed (read, read all, archive, on another tab)
    notify.revoke   a session (or every session of the user) ended: close its sockets

Publishing happens after commit; a failure is logged, never raised.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading

from channels.layers import get_channel_layer
from django.db import transaction

from rentezy_common.degrade import SharedStoreGuard

logger = logging.getLogger(__name__)

LAYER_GUARD = SharedStoreGuard("notification channel layer (Redis)", retry_after=1.0)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def user_group(user_id: str) -> str:
    return "notify.u." + _UNSAFE.sub("_", str(user_id))[:80]


async def apublish(user_id: str, event: dict) -> None:
    if not LAYER_GUARD.available():
        return
    try:
        await get_channel_layer().group_send(user_group(user_id), event)
    except Exception as exc:  # redis.RedisError, OSError: the layer is a wake-up only
        LAYER_GUARD.failed(exc)
        return
    LAYER_GUARD.succeeded()


async def apublish_many(items: list[tuple[str, dict]]) -> None:
    await asyncio.gather(*(apublish(user_id, event) for user_id, event in items))


class _Publisher:
    """One event loop, in a thread of its own, for everything a synchronous process
    (a consumer, a worker, Django's sync views) publishes. The channel layer keeps its
    Redis connections per event loop: `async_to_sync` runs each call on a new one, which
    made every publish open a connection (up to 2 s each in bench/notifications); on
    this loop they are opened once and kept."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="notify-publisher",
                                 daemon=True).start()  # fmt: skip
                self._loop = loop
            return self._loop

    def run(self, items: list[tuple[str, dict]]) -> None:
        future = asyncio.run_coroutine_threadsafe(apublish_many(items), self.loop())
        try:
            future.result(timeout=10)
        except Exception as exc:  # TimeoutError, a Redis error: a wake-up only
            future.cancel()
            LAYER_GUARD.failed(exc)


PUBLISHER = _Publisher()


def publish(user_id: str, event: dict) -> None:
    PUBLISHER.run([(user_id, event)])


_pending = threading.local()


def publish_on_commit(user_id: str, event: dict) -> None:
    """Publish once the current transaction commits (at once outside one). The pushes
    of one transaction (a consumer's batch makes hundreds) go out together, in one trip
    to the publishing loop."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        publish(user_id, event)
        return
    flush = getattr(_pending, "flush", None)
    # Still waiting for this transaction's commit? (A rollback drops the callback, and
    # a commit runs it: either way a new transaction starts a new queue.)
    if flush is None or not any(item[1] is flush for item in connection.run_on_commit):
        items: list[tuple[str, dict]] = []

        def flush() -> None:
            if _pending.__dict__.get("flush") is flush:
                _pending.flush = None
            PUBLISHER.run(items)

        flush.items = items
        _pending.flush = flush
        transaction.on_commit(flush)
    flush.items.append((user_id, event))
