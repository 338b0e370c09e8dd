"""The chat WebSocket, `/ws/chat/`: one socket per client carrying all of the user's
conversations (docs/services/chat.md has the protocol). A thin adapter: frames are
decoded here and handed to `chat.services` / `chat.selectors`; what it keeps is per
socket: how far each conversation has been delivered to this client.

Ordering, no gap, no duplicate. PostgreSQL is the log; the channel layer only wakes
sockets up (chat/realtime.py). For each conversation the socket remembers `delivered`,
the highest sequence number it has given the client (at connect: the conversation's
last one; after `resume`: the client's cursor, then what the database returned). A
wake-up for the next number is sent on; one at or below `delivered` was sent already
and is dropped; one further ahead means wake-ups were lost or overtaken, and the
socket reads the missing changes from the database, in order, before going on. The
socket handles one message at a time (the client's frames and the wake-ups share one
queue), so a resume is answered from the database before any live traffic after it.

A slow client is disconnected rather than slowing others: frames go through a bounded
queue to a writer task; a live frame that finds the queue full, or a write that stalls
for CHAT_SOCKET_SEND_TIMEOUT_SECONDS, closes the socket (4408); the client resumes.

Close codes: 4401 the session ended (logout, password change, deactivation: the gateway
forwards the code), 4408 too slow, 1011 a bug.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from rentezy_common.errors import ApiError
from rentezy_common.gateway import Caller
from rentezy_common.jsonbody import loads

from . import selectors, services
from .realtime import LAYER_GUARD, PRESENCE, apublish, user_group
from .representation import message_representation

logger = logging.getLogger(__name__)

CLOSE_SESSION_ENDED = 4401
CLOSE_TOO_SLOW = 4408
CLOSE_INTERNAL = 1011
MAX_FRAME_BYTES = 64 * 1024
CATCH_UP_SECONDS = 60


def db(function):
    """Run a service or selector in a worker thread (any of the loop's pool, each with
    its own database connection): sockets never wait on each other's queries."""
    return database_sync_to_async(function, thread_sensitive=False)


class FrameError(ApiError):
    code = "invalid_frame"
    message = "The frame is malformed."


def _uuid(value, field: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError, AttributeError):
        raise FrameError(f"`{field}` must be a UUID.", details={field: ["A UUID."]}) from None


def _text(frame: dict, field: str, *, required: bool = True, max_length: int | None = None):
    value = frame.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise FrameError(f"`{field}` must be a string.", details={field: ["A string."]})
    if max_length is not None and len(value) > max_length:
        raise FrameError(
            f"`{field}` is too long.", details={field: [f"At most {max_length} characters."]}
        )
    return value


def _int(frame: dict, field: str) -> int:
    value = frame.get(field)
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        value = int(value)  # message ids are strings in the representation
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**62:
        raise FrameError(
            f"`{field}` must be a non-negative integer.", details={field: ["An integer."]}
        )
    return value


class TokenBucket:
    """Frames a socket may send: `rate` per second, bursts of `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class ChatSocket(AsyncConsumer):
    # -- lifecycle ------------------------------------------------------------------------
    async def __call__(self, scope, receive, send):
        """AsyncConsumer's, except that a channel layer that cannot be reached (Redis
        down) leaves a working socket without live wake-ups instead of failing the
        handshake: sends, acks and resumes go to PostgreSQL, and the heartbeat catches
        up from there (docs/architecture/resilience.md)."""
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer()
        self.channel_name = None
        receivers = [receive]
        try:
            self.channel_name = await self.channel_layer.new_channel()
        except Exception as exc:  # redis.RedisError, OSError
            LAYER_GUARD.failed(exc)
        else:
            receivers.append(lambda: self.channel_layer.receive(self.channel_name))
        with contextlib.suppress(StopConsumer):
            await _dispatch_many(receivers, self.dispatch)

    async def dispatch(self, message):
        """Channels' dispatch without its per-message `close_old_connections` thread hop
        (every database call here runs through `db()`, which does it); a handler's
        error is logged and answered, never the end of the socket."""
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None or message["type"].startswith("_"):
            return
        try:
            await handler(message)
        except StopConsumer:
            raise
        except Exception:
            logger.exception("chat socket: %s failed", message["type"])
            await self.error("internal_error", "Something went wrong on our side.")

    async def websocket_connect(self, message):
        identity = self.scope["identity"]
        self.actor = Caller(identity)
        self.user_id = identity.user_id
        self.session_id = identity.session_id
        self.live = False
        self.closed = False
        self.delivered: dict[str, int] = {}
        self.acked: dict[str, set[int]] = {}
        self.others: dict[str, str] = {}  # conversation id -> the other participant
        self.people: set[str] = set()
        self.typing_at: dict[str, float] = {}
        self.frames = TokenBucket(
            settings.CHAT_FRAMES_PER_SECOND, settings.CHAT_FRAMES_PER_SECOND * 4
        )
        self.flood_warned_at = 0.0
        self.caught_up_at = time.monotonic()
        self.outbox: asyncio.Queue[str] = asyncio.Queue(settings.CHAT_SOCKET_QUEUE_FRAMES)
        self.writer: asyncio.Task | None = None
        # Join the user's group before checking the session: a revocation committed
        # after the check is then heard, one committed before it is seen by the check.
        await self._join()
        admissible, (conversations, people) = await db(self._admission)()
        await self.base_send({"type": "websocket.accept", "subprotocol": self._subprotocol()})
        if not admissible:
            await self._close(CLOSE_SESSION_ENDED, "session ended")
            return
        for conversation_id, (last_seq, other) in conversations.items():
            self.delivered[conversation_id] = last_seq
            self.others[conversation_id] = other
        self.people = people
        self.writer = asyncio.create_task(self._write_loop())
        await self.emit(
            {
                "type": "ready",
                "user_id": self.user_id,
                "conversations": {c: s for c, s in self.delivered.items()},
                "heartbeat_seconds": settings.CHAT_HEARTBEAT_SECONDS,
                "live": self.live,
            }
        )
        if self.channel_name and await PRESENCE.beat(self.user_id, self.channel_name, joining=True):
            await self._announce_presence(online=True)

    def _subprotocol(self) -> str | None:
        offered = self.scope.get("subprotocols") or []
        return offered[0] if offered else None

    def _admission(self):
        admissible = selectors.socket_admissible(user_id=self.user_id, session_id=self.session_id)
        if not admissible:
            return False, ({}, set())
        conversations, people = selectors.socket_directory(user_id=self.user_id)
        return True, (conversations, people)

    async def _join(self) -> None:
        if self.channel_name is None:
            return
        try:
            await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)
        except Exception as exc:  # redis.RedisError, OSError
            LAYER_GUARD.failed(exc)
            self.live = False
        else:
            self.live = True

    async def websocket_disconnect(self, message):
        self.closed = True
        if self.writer is not None:
            self.writer.cancel()
        if self.channel_name is not None:
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)
            if getattr(self, "actor", None) is not None and await PRESENCE.leave(
                self.user_id, self.channel_name
            ):
                await self._announce_presence(online=False)
        raise StopConsumer()

    async def _close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        if self.writer is not None:
            self.writer.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                self.base_send({"type": "websocket.close", "code": code, "reason": reason}), 2
            )

    # -- writing ---------------------------------------------------------------------------
    async def _write_loop(self) -> None:
        timeout = settings.CHAT_SOCKET_SEND_TIMEOUT_SECONDS
        try:
            while True:
                text = await self.outbox.get()
                await asyncio.wait_for(
                    self.base_send({"type": "websocket.send", "text": text}), timeout
                )
        except TimeoutError:
            logger.info("chat socket of user %s too slow: closed", self.user_id)
            self.writer = None
            await self._close(CLOSE_TOO_SLOW, "too slow")
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # the connection went away under the send
            logger.debug("chat socket writer: %r", exc)

    async def emit(self, frame: dict, *, patient: bool = False) -> None:
        """Queue a frame for the client. A live frame that finds the queue full closes
        the socket (too slow); a `patient` one (a resume's) waits for room a while."""
        if self.closed:
            return
        text = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        try:
            if patient:
                await asyncio.wait_for(
                    self.outbox.put(text), settings.CHAT_SOCKET_SEND_TIMEOUT_SECONDS
                )
            else:
                self.outbox.put_nowait(text)
        except (asyncio.QueueFull, TimeoutError):
            logger.info(
                "chat socket of user %s: %d frames behind, closed",
                self.user_id,
                self.outbox.qsize(),
            )
            await self._close(CLOSE_TOO_SLOW, "too slow")

    async def error(self, code: str, message: str, **extra) -> None:
        await self.emit({"type": "error", "code": code, "message": message, **extra})

    # -- frames from the client ------------------------------------------------------------
    async def websocket_receive(self, message):
        if self.closed:
            return
        text = message.get("text")
        if text is None:
            await self.error("binary_frame", "Frames are JSON text.")
            return
        if not self.frames.take():
            now = time.monotonic()
            if now - self.flood_warned_at >= 1:
                self.flood_warned_at = now
                await self.error("rate_limited", "Too many frames; some were dropped.")
            return
        ref = None
        try:
            frame = loads(text, max_depth=8, max_bytes=MAX_FRAME_BYTES)
            if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                raise FrameError("A frame is a JSON object with a `type`.")
            ref = frame.get("client_id") if isinstance(frame.get("client_id"), str) else None
            handler = FRAMES.get(frame["type"])
            if handler is None:
                raise FrameError(
                    f"Unknown frame type {frame['type'][:40]!r}.", code="unknown_frame"
                )
            await handler(self, frame)
        except ApiError as exc:
            extra = {"client_id": ref[:64]} if ref else {}
            await self.error(exc.code, exc.message, details=exc.details, **extra)

    async def frame_send(self, frame: dict) -> None:
        conversation_id = _uuid(frame.get("conversation_id"), "conversation_id")
        client_id = _text(frame, "client_id", max_length=64)
        body = _text(frame, "body", required=False) or ""
        if len(body) > settings.CHAT_MESSAGE_MAX_CHARS * 2:
            body = body[: settings.CHAT_MESSAGE_MAX_CHARS + 1]  # refused as too long below
        attachment = frame.get("attachment_id")
        attachment_id = _uuid(attachment, "attachment_id") if attachment is not None else None
        message, created = await db(services.message_send)(
            actor=self.actor,
            conversation_id=conversation_id,
            client_id=client_id,
            body=body,
            attachment_id=attachment_id,
        )
        await self._acknowledge(frame, message, duplicate=not created)

    async def frame_edit(self, frame: dict) -> None:
        message_id = _int(frame, "message_id")
        body = _text(frame, "body", required=False) or ""
        message = await db(services.message_edit)(
            actor=self.actor, message_id=message_id, body=body[:10_000]
        )
        await self._acknowledge(frame, message)

    async def frame_delete(self, frame: dict) -> None:
        message_id = _int(frame, "message_id")
        message = await db(services.message_delete)(actor=self.actor, message_id=message_id)
        await self._acknowledge(frame, message)

    async def _acknowledge(self, frame: dict, message, *, duplicate: bool = False) -> None:
        conversation_id = str(message.conversation_id)
        seq = message.change_seq
        self._know(conversation_id)
        if not duplicate:
            if self.delivered[conversation_id] == seq - 1:
                self.delivered[conversation_id] = seq
            elif seq > self.delivered[conversation_id]:
                # Others' changes before it have not reached this socket yet: this one
                # is not sent again when the gap is filled.
                self.acked.setdefault(conversation_id, set()).add(seq)
        await self.emit(
            {
                "type": "ack",
                "client_id": frame.get("client_id")
                if isinstance(frame.get("client_id"), str)
                else None,
                "conversation_id": conversation_id,
                "seq": seq,
                "duplicate": duplicate,
                "message": message_representation(message),
            }
        )

    async def frame_read(self, frame: dict) -> None:
        conversation_id = _uuid(frame.get("conversation_id"), "conversation_id")
        await db(services.conversation_mark_read)(
            actor=self.actor, conversation_id=conversation_id, seq=_int(frame, "seq")
        )

    async def frame_typing(self, frame: dict) -> None:
        """Ephemeral, never stored: at most one per conversation per
        CHAT_TYPING_INTERVAL_SECONDS is passed on, the rest are dropped."""
        conversation_id = _uuid(frame.get("conversation_id"), "conversation_id")
        other = self.others.get(conversation_id)
        if other is None:
            raise FrameError("No such conversation.", code="conversation_not_found")
        now = time.monotonic()
        if now - self.typing_at.get(conversation_id, 0.0) < settings.CHAT_TYPING_INTERVAL_SECONDS:
            return
        self.typing_at[conversation_id] = now
        await apublish(
            [other],
            {"type": "chat.typing", "conversation_id": conversation_id, "user_id": self.user_id},
        )

    async def frame_resume(self, frame: dict) -> None:
        """`{"type": "resume", "conversations": {"<id>": <last seen seq>, ...}}`: what
        each conversation missed after that number, from the database, in order; then
        `resumed` with where each now stands."""
        cursors = frame.get("conversations")
        if not isinstance(cursors, dict) or len(cursors) > 1000:
            raise FrameError("`conversations` maps conversation ids to sequence numbers.")
        unknown = []
        for raw_id, after in cursors.items():
            conversation_id = _uuid(raw_id, "conversations")
            if isinstance(after, bool) or not isinstance(after, int) or after < 0:
                raise FrameError("A sequence number is a non-negative integer.")
            if conversation_id not in self.others:
                unknown.append(raw_id)
                continue
            self.delivered[conversation_id] = after
            self.acked.pop(conversation_id, None)
            await self._fill(conversation_id)
        await self.emit(
            {
                "type": "resumed",
                "conversations": {
                    c: self.delivered[c] for c in map(str, cursors) if c in self.delivered
                },
                "unknown": unknown,
            },
            patient=True,
        )

    async def frame_ping(self, frame: dict) -> None:
        """The heartbeat: presence stays on, and a socket that may have missed
        wake-ups (no channel layer, or a while since the last check) catches up."""
        if self.channel_name is not None:
            await PRESENCE.beat(self.user_id, self.channel_name)
            if not self.live:
                await self._join()
        if not self.live or time.monotonic() - self.caught_up_at >= CATCH_UP_SECONDS:
            await self._catch_up()
        await self.emit({"type": "pong", "live": self.live})

    async def frame_presence(self, frame: dict) -> None:
        """`{"type": "presence", "user_ids": [...]}`: online / last seen of the people
        the user talks to (anyone else is left out)."""
        wanted = frame.get("user_ids")
        if not isinstance(wanted, list) or len(wanted) > 200:
            raise FrameError("`user_ids` is a list of at most 200 user ids.")
        people = [str(u) for u in wanted if str(u) in self.people]
        for user_id, status in (await PRESENCE.status(people)).items():
            await self.emit({"type": "presence", "user_id": user_id, **status})

    # -- wake-ups from the channel layer ---------------------------------------------------
    def _know(self, conversation_id: str, other: str | None = None) -> None:
        if conversation_id not in self.delivered:
            self.delivered[conversation_id] = 0
        if other is not None:
            self.others[conversation_id] = other
            self.people.add(other)

    async def chat_change(self, event: dict) -> None:
        conversation_id, seq = event["conversation_id"], event["seq"]
        if conversation_id not in self.others:
            others = [p for p in event["participants"] if p != self.user_id]
            self._know(conversation_id, others[0] if others else None)
        delivered = self.delivered[conversation_id]
        if seq <= delivered:
            return
        if seq > delivered + 1:
            await self._fill(conversation_id)
            return
        self.delivered[conversation_id] = seq
        if seq in self.acked.get(conversation_id, ()):
            self.acked[conversation_id].discard(seq)
            return
        await self.emit(
            {
                "type": f"message.{event['kind']}",
                "conversation_id": conversation_id,
                "seq": seq,
                "message": event["message"],
            }
        )

    async def _fill(self, conversation_id: str) -> None:
        """Everything after `delivered` from the database, in order (a resume, or a
        gap in the wake-ups)."""
        start = self.delivered[conversation_id]
        batch = settings.CHAT_RESUME_BATCH
        while not self.closed:
            after = self.delivered[conversation_id]
            rows = await db(selectors.message_changes_after)(
                conversation_id=conversation_id, after=after, limit=batch
            )
            # A message the client never saw goes as new, at its place; one it saw, as
            # the change it underwent.
            rows.sort(key=lambda m: m.seq if m.seq > start else m.change_seq)
            acked = self.acked.get(conversation_id, set())
            for message in rows:
                if message.change_seq in acked:
                    acked.discard(message.change_seq)
                    continue
                if message.seq > start:
                    kind = "new"
                else:
                    kind = "deleted" if message.deleted_at else "edited"
                await self.emit(
                    {
                        "type": f"message.{kind}",
                        "conversation_id": conversation_id,
                        "seq": message.change_seq,
                        "message": message_representation(message),
                    },
                    patient=True,
                )
            if rows:
                self.delivered[conversation_id] = max(m.change_seq for m in rows)
            if len(rows) < batch:
                return

    async def _catch_up(self) -> None:
        self.caught_up_at = time.monotonic()
        conversations, _ = await db(selectors.socket_directory)(user_id=self.user_id)
        for conversation_id, (last_seq, other) in conversations.items():
            self._know(conversation_id, other)
            if last_seq > self.delivered[conversation_id]:
                await self._fill(conversation_id)

    async def chat_read(self, event: dict) -> None:
        await self.emit(
            {
                "type": "read",
                "conversation_id": event["conversation_id"],
                "user_id": event["user_id"],
                "seq": event["seq"],
            }
        )

    async def chat_typing(self, event: dict) -> None:
        await self.emit(
            {
                "type": "typing",
                "conversation_id": event["conversation_id"],
                "user_id": event["user_id"],
            }
        )

    async def chat_presence(self, event: dict) -> None:
        if event["user_id"] in self.people:
            await self.emit(
                {
                    "type": "presence",
                    "user_id": event["user_id"],
                    "online": event["online"],
                    "last_seen": event["last_seen"],
                }
            )

    async def chat_conversation(self, event: dict) -> None:
        conversation_id = event["conversation_id"]
        other = event["landlord_id"] if event["tenant_id"] == self.user_id else event["tenant_id"]
        self._know(conversation_id, other)
        await self.emit(
            {
                "type": "conversation.started",
                "conversation_id": conversation_id,
                "tenant_id": event["tenant_id"],
                "landlord_id": event["landlord_id"],
                "property_id": event["property_id"],
                "started_by": event["started_by"],
            }
        )

    async def chat_revoke(self, event: dict) -> None:
        if event.get("session_id") in (None, self.session_id):
            await self._close(CLOSE_SESSION_ENDED, "session ended")

    async def _announce_presence(self, *, online: bool) -> None:
        status = (await PRESENCE.status([self.user_id]))[self.user_id]
        await apublish(
            sorted(self.people)[:200],
            {
                "type": "chat.presence",
                "user_id": self.user_id,
                "online": online,
                "last_seen": status["last_seen"],
            },
        )


FRAMES = {
    "send": ChatSocket.frame_send,
    "edit": ChatSocket.frame_edit,
    "delete": ChatSocket.frame_delete,
    "read": ChatSocket.frame_read,
    "typing": ChatSocket.frame_typing,
    "resume": ChatSocket.frame_resume,
    "ping": ChatSocket.frame_ping,
    "presence": ChatSocket.frame_presence,
}


async def _dispatch_many(receivers, dispatch) -> None:
    """Channels' `await_many_dispatch`: the client's frames and the channel layer's
    wake-ups, one at a time, in arrival order."""
    tasks = [asyncio.ensure_future(r()) for r in receivers]
    try:
        while True:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for i, task in enumerate(tasks):
                if task.done():
                    result = task.result()
                    await dispatch(result)
                    tasks[i] = asyncio.ensure_future(receivers[i]())
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
