"""The gateway's Redis client: one pipelined connection per process, speaking RESP with
hiredis's C parser.

Every request the gateway proxies makes one Redis call (token cache and rate limit in one
script), so the client's own overhead is on the hot path. Commands from all concurrent
requests are written to the same connection as they come and Redis answers in order, so
the N-th reply belongs to the N-th waiting caller: no pool, no checkout, one syscall per
command each way, and under load Redis sees a natural pipeline.

Errors are redis-py's exception types (`ConnectionError`, `TimeoutError`,
`ResponseError`), so callers keep one `except RedisError`. A command that times out
closes the connection (a reply that arrives later could not be matched any more) and
every command waiting on it fails; the next command reconnects. After a failed connect,
commands fail at once for `retry_after` seconds instead of each waiting for a connect
timeout while Redis is down.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import time
from urllib.parse import unquote, urlsplit

import hiredis
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import ConnectionError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeout

from .upstream import no_delay


def _encode(args) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif isinstance(arg, int | float):
            arg = repr(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


class _Protocol(asyncio.Protocol):
    def __init__(self, loop) -> None:
        self.loop = loop
        self.transport = None
        self.reader = hiredis.Reader()
        self.waiting: collections.deque[asyncio.Future] = collections.deque()
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        no_delay(transport)

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while True:
            try:
                reply = self.reader.gets()
            except hiredis.ProtocolError as exc:
                self.close(ConnectionError(f"redis protocol error: {exc}"))
                return
            if reply is False:
                return
            if not self.waiting:  # a reply nobody asked for: the stream is out of step
                self.close(ConnectionError("unexpected reply from redis"))
                return
            future = self.waiting.popleft()
            if future.done():  # its caller timed out (and the connection is closing)
                continue
            if isinstance(reply, hiredis.ReplyError):
                future.set_exception(ResponseError(str(reply)))
            else:
                future.set_result(reply)

    def connection_lost(self, exc) -> None:
        self.close(ConnectionError(f"redis connection lost: {exc!r}" if exc else "closed"))

    def close(self, error: Exception) -> None:
        self.closed = True
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(error)
        if self.transport is not None:
            self.transport.close()

    async def call(self, payload: bytes, timeout: float):
        if self.closed:
            raise ConnectionError("redis connection closed")
        future = self.loop.create_future()
        self.waiting.append(future)
        self.transport.write(payload)
        timer = self.loop.call_later(timeout, self._timed_out, future)
        try:
            return await future
        finally:
            timer.cancel()

    def _timed_out(self, future: asyncio.Future) -> None:
        if not future.done():
            future.set_exception(RedisTimeout("redis did not answer in time"))
            self.close(RedisTimeout("an earlier command on this connection timed out"))


class RedisPipe:
    """`await pipe.execute("GET", key)`; `Script` for Lua. `redis://[user:password@]host[:port][/db]`."""

    def __init__(self, url: str, *, timeout: float, retry_after: float = 0.5) -> None:
        parts = urlsplit(url)
        if parts.scheme != "redis":
            raise ImproperlyConfigured(f"REDIS_URL {url!r}: the gateway speaks redis:// only")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 6379
        self.db = int(parts.path.lstrip("/") or 0)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.retry_after = retry_after
        self._conn: _Protocol | None = None
        self._connecting: asyncio.Task | None = None
        self._failed_at = -1e9

    async def execute(self, *args):
        conn = self._conn
        if conn is None or conn.closed:
            conn = await self._connection()
        return await conn.call(_encode(args), self.timeout)

    async def _connection(self) -> _Protocol:
        if time.monotonic() - self._failed_at < self.retry_after:
            raise ConnectionError("redis unreachable (retrying shortly)")
        if self._connecting is None:  # one connect attempt shared by everyone waiting
            self._connecting = asyncio.get_running_loop().create_task(self._connect())
            self._connecting.add_done_callback(self._connected)
        return await asyncio.shield(self._connecting)

    def _connected(self, task: asyncio.Task) -> None:
        self._connecting = None
        if task.cancelled() or task.exception() is not None:
            self._failed_at = time.monotonic()
        else:
            self._conn = task.result()

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout):
                _, conn = await loop.create_connection(
                    lambda: _Protocol(loop), self.host, self.port
                )
                if self.password is not None:
                    auth = (
                        ("AUTH", self.username, self.password)
                        if self.username
                        else ("AUTH", self.password)
                    )
                    await conn.call(_encode(auth), self.timeout)
                if self.db:
                    await conn.call(_encode(("SELECT", self.db)), self.timeout)
        except OSError as exc:
            raise ConnectionError(f"cannot reach redis at {self.host}:{self.port}: {exc}") from exc
        except TimeoutError as exc:
            raise RedisTimeout(f"redis at {self.host}:{self.port} did not answer") from exc
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close(ConnectionError("client closed"))
            self._conn = None


class Script:
    """A Lua script run by its SHA1 (EVALSHA), loaded on the first NOSCRIPT."""

    def __init__(self, pipe: RedisPipe, source: str) -> None:
        self.pipe = pipe
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    async def __call__(self, keys, args):
        try:
            return await self.pipe.execute("EVALSHA", self.sha, len(keys), *keys, *args)
        except ResponseError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        return await self.pipe.execute("EVAL", self.source, len(keys), *keys, *args)
