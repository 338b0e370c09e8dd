"""The notifications WebSocket, `/ws/notifications/`: one per open tab. A thin adapter:
it joins the user's group (notifications/realtime.py), says `ready` with the unread
count, and forwards what the group carries. Nothing is sent by the client but `ping`
(answered `pong`); the inbox itself is read over HTTP.

The gateway authenticates the tab (token in the subprotocol or the first frame, never in
the URL) and signs the handshake; `rentezy_common.websocket.GatewaySocketMiddleware`
verifies it and gives `scope["identity"]`, session id included. When auth_service ends
that session (`session.revoked`: logout, password change, deactivation) the socket is
closed with 4401, which the gateway passes on to the browser; a socket the ended session
opens later (its token still valid in the gateway's cache for a few seconds) is closed
with 4401 as soon as it is accepted.

Frames to the client:
    {"type": "ready", "user_id", "unread"}
    {"type": "notification", "notification": {...}, "unread": n}
    {"type": "unread", "unread": n}
    {"type": "pong"}
"""

from __future__ import annotations

import contextlib
import json
import logging

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from . import selectors
from .realtime import LAYER_GUARD, user_group

logger = logging.getLogger(__name__)

CLOSE_SESSION_ENDED = 4401


class NotificationSocket(AsyncWebsocketConsumer):
    groups: list[str] = []

    async def connect(self):
        identity = self.scope["identity"]
        self.user_id = identity.user_id
        self.session_id = identity.session_id
        self.group = user_group(self.user_id)
        # Join before reading the count: a notification committed after the read is
        # pushed, one committed before it is in the count.
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
            live = True
        except Exception as exc:  # redis.RedisError, OSError: no live pushes, still a socket
            LAYER_GUARD.failed(exc)
            live = False
        offered = self.scope.get("subprotocols") or []
        await self.accept(subprotocol=offered[0] if offered else None)
        # After joining: a revocation committed after this check is heard on the group,
        # one committed before it is seen here.
        admissible, unread = await database_sync_to_async(self._admission, thread_sensitive=False)()
        if not admissible:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self._frame({"type": "ready", "user_id": self.user_id, "unread": unread,
                           "live": live})  # fmt: skip

    def _admission(self) -> tuple[bool, int]:
        if not selectors.socket_admissible(user_id=self.user_id, session_id=self.session_id):
            return False, 0
        return True, selectors.unread_count(user_id=self.user_id)

    async def disconnect(self, code):
        with contextlib.suppress(Exception):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        raise StopConsumer()

    async def receive(self, text_data=None, bytes_data=None):
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            frame = None
        if isinstance(frame, dict) and frame.get("type") == "ping":
            await self._frame({"type": "pong"})
        else:
            await self._frame({"type": "error", "code": "invalid_frame",
                               "message": "Only `ping` frames are read here."})  # fmt: skip

    async def _frame(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, separators=(",", ":"), ensure_ascii=False))

    # -- from the group ------------------------------------------------------------------
    async def notify_new(self, event):
        await self._frame(
            {"type": "notification", "notification": event["notification"],
             "unread": event["unread"]}
        )  # fmt: skip

    async def notify_unread(self, event):
        await self._frame({"type": "unread", "unread": event["unread"]})

    async def notify_revoke(self, event):
        if event.get("session_id") in (None, self.session_id):
            await self.close(code=CLOSE_SESSION_ENDED)
