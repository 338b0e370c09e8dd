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

import logging
import re

from asgiref.sync import async_to_sync
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


def publish(user_id: str, event: dict) -> None:
    async_to_sync(apublish)(user_id, event)


def publish_on_commit(user_id: str, event: dict) -> None:
    transaction.on_commit(lambda: publish(user_id, event))
