"""Waking sockets up: the channel layer (channels-redis, Redis pub/sub) carries each
change to the sockets of the users it concerns, on every process. It is only a
wake-up: PostgreSQL is the log, and a socket that misses a wake-up (Redis down, a
slow socket) finds the change in the database at its next one or when it resumes
(chat/sockets.py).

Groups: `chat.u.<user id>`, every socket of one user. What goes through them (the
`type` names the socket's handler):

    chat.change        a message sent, edited or deleted (its representation, its seq)
    chat.read          a participant's read marker moved
    chat.typing        a participant is typing (never stored)
    chat.presence      a user came online or went offline
    chat.conversation  a conversation including the user was started
    chat.revoke        a session (or every session of a user) ended: close its sockets

Publishing happens after commit (`transaction.on_commit`), and a failure to publish is
logged, never raised: the change is committed and will be found in the database.

Presence lives in Redis too: a sorted set per user of their sockets, each with the
time its heartbeat runs out, so a process that dies leaves no ghost online for longer
than CHAT_PRESENCE_TTL_SECONDS; `last seen` is kept for a month.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from rentezy_common.degrade import SharedStoreGuard

logger = logging.getLogger(__name__)

LAYER_GUARD = SharedStoreGuard("chat channel layer (Redis)", retry_after=1.0)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
LAST_SEEN_SECONDS = 30 * 24 * 3600


def user_group(user_id: str) -> str:
    """The group of every socket of a user (group names are ASCII, < 100 characters)."""
    return "chat.u." + _UNSAFE.sub("_", str(user_id))[:80]


async def apublish(user_ids, event: dict) -> None:
    """Send `event` to every socket of these users, on every process; never raises."""
    layer = get_channel_layer()
    for user_id in dict.fromkeys(user_ids):
        try:
            await layer.group_send(user_group(user_id), event)
        except Exception as exc:  # redis.RedisError, OSError: the layer is a wake-up only
            LAYER_GUARD.failed(exc)
            return
    LAYER_GUARD.succeeded()


def publish(user_ids, event: dict) -> None:
    async_to_sync(apublish)(list(user_ids), event)


def publish_on_commit(user_ids, event: dict) -> None:
    """Publish once the current transaction commits (at once outside one)."""
    user_ids = list(user_ids)
    transaction.on_commit(lambda: publish(user_ids, event))


# -- presence ---------------------------------------------------------------------------
_PRESENCE = "chat:presence:{}"
_LAST_SEEN = "chat:lastseen:{}"


def _now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class Presence:
    """Online / last seen, from the sockets' heartbeats (async, one per process)."""

    def __init__(self) -> None:
        self._client = None
        self.guard = SharedStoreGuard("chat presence (Redis)", retry_after=1.0)

    def client(self):
        if self._client is None:
            from redis import asyncio as aioredis

            self._client = aioredis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        return self._client

    async def _run(self, build):
        if not self.guard.available():
            return None
        try:
            async with self.client().pipeline(transaction=False) as pipe:
                build(pipe)
                result = await pipe.execute()
        except Exception as exc:  # redis.RedisError, OSError
            self.guard.failed(exc)
            return None
        self.guard.succeeded()
        return result

    async def beat(self, user_id: str, socket: str, *, joining: bool = False) -> bool:
        """Record a socket's heartbeat; True if the user was offline before it."""
        now = time.time()
        ttl = settings.CHAT_PRESENCE_TTL_SECONDS
        key = _PRESENCE.format(user_id)

        def build(pipe):
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zcard(key)
            pipe.zadd(key, {socket: now + ttl})
            pipe.expire(key, ttl)

        result = await self._run(build)
        return bool(joining and result is not None and result[1] == 0)

    async def leave(self, user_id: str, socket: str) -> bool:
        """Forget a socket; True if it was the user's last one (now offline)."""
        now = time.time()
        key = _PRESENCE.format(user_id)

        def build(pipe):
            pipe.zrem(key, socket)
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zcard(key)
            pipe.set(_LAST_SEEN.format(user_id), _now_iso(), ex=LAST_SEEN_SECONDS)

        result = await self._run(build)
        return bool(result is not None and result[2] == 0)

    async def status(self, user_ids: list[str]) -> dict[str, dict]:
        """{user id: {"online", "last_seen"}}; unknown (offline, no last seen) if Redis
        cannot be asked."""
        now = time.time()

        def build(pipe):
            for user_id in user_ids:
                pipe.zcount(_PRESENCE.format(user_id), now, "+inf")
                pipe.get(_LAST_SEEN.format(user_id))

        result = await self._run(build) or [0, None] * len(user_ids)
        answer = {}
        for i, user_id in enumerate(user_ids):
            online, seen = result[2 * i], result[2 * i + 1]
            answer[user_id] = {
                "online": bool(online),
                "last_seen": _now_iso() if online else (seen.decode() if seen else None),
            }
        return answer


PRESENCE = Presence()
