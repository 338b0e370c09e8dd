"""The proxy's HTTP/1.1 client: a keep-alive connection pool per upstream, built on
asyncio protocols and httptools (the llhttp parser uvicorn uses for the client side).

It does only what a reverse proxy needs, which is why it costs a fraction of a general
client's CPU per request: bytes in, bytes out. Header names and values pass through as
bytes; request bodies stream to the upstream (with flow control) and response bodies
stream back chunk by chunk, pausing the upstream socket while the client is slower. A
response whose body was not read to the end closes its connection instead of returning
it to the pool.

Failures are typed so the gateway can answer and decide retries: the request did not
reach the upstream (`ConnectFailed`, `ConnectTimeout`, `Disconnected` before any byte of
an answer) or it may have (`ReadTimeout`, `ProtocolError`).
"""

from __future__ import annotations

import asyncio
import collections
import socket
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httptools
from django.core.exceptions import ImproperlyConfigured

HIGH_WATER = 256 * 1024  # buffered response bytes before the upstream socket is paused


def no_delay(transport) -> None:
    """Send small writes at once (a request head, a Redis command) instead of waiting
    to coalesce them with data that will not come until the answer does."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class UpstreamError(Exception):
    kind = "error"
    status = 502
    code = "bad_gateway"
    message = "The {} service failed to answer."
    retryable = False  # true only when the request cannot have reached the upstream


class ConnectFailed(UpstreamError):
    kind, status, code, retryable = "connect", 503, "upstream_unavailable", True
    message = "The {} service is down."


class ConnectTimeout(UpstreamError):
    kind, status, code, retryable = "connect_timeout", 504, "upstream_timeout", True
    message = "The {} service timed out."


class ReadTimeout(UpstreamError):
    kind, status, code = "timeout", 504, "upstream_timeout"
    message = "The {} service timed out."


class Disconnected(UpstreamError):
    """The connection closed before any byte of an answer: a kept-alive connection the
    upstream had already closed, so the request never ran."""

    kind, retryable = "disconnect", True


class ProtocolError(UpstreamError):
    kind = "protocol"
    message = "The {} service sent a bad reply."


class Response:
    """One upstream answer: `status` and raw `headers` once `request()` returns, then
    the body from `chunks()`; `release()` (always) hands the connection back."""

    __slots__ = (
        "_buffered",
        "_chunks",
        "_conn",
        "_done",
        "_error",
        "_head",
        "_headers_done",
        "_paused",
        "_waiter",
        "headers",
        "keep_alive",
        "parser",
        "received",
        "status",
    )

    def __init__(self, conn: _Connection, head: bool) -> None:
        self._conn = conn
        self._head = head
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.keep_alive = False
        self.received = False  # any byte of the answer arrived
        self._headers_done = False
        self._done = False
        self._error: UpstreamError | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._paused = False
        self._waiter: asyncio.Future | None = None
        self.parser = httptools.HttpResponseParser(self)

    # --- parser callbacks (called from data_received) --------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if status < 200:  # 100 Continue and friends: the real answer follows
            self.headers = []
            return
        self.status = status
        self.keep_alive = self.parser.should_keep_alive()
        self._headers_done = True
        if self._head:  # no body follows, whatever Content-Length says
            self.keep_alive = False
            self._done = True
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self._done:
            return
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > HIGH_WATER and not self._paused:
            self._paused = True
            self._conn.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.status:  # not the end of a 1xx
            self._done = True
            self._wake()

    # --- connection events --------------------------------------------------------------

    def _fail(self, error: UpstreamError) -> None:
        if not self._done and self._error is None:
            self._error = error
            self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self, timeout: float) -> None:
        loop = self._conn.loop
        self._waiter = waiter = loop.create_future()
        timer = loop.call_later(timeout, _expire, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    async def _wait_headers(self, timeout: float) -> None:
        while not self._headers_done:
            if self._error is not None:
                raise self._error
            await self._wait(timeout)

    # --- the caller's side --------------------------------------------------------------

    async def chunks(self) -> AsyncIterator[bytes]:
        conn = self._conn
        while True:
            if self._chunks:
                chunk = self._chunks.popleft()
                self._buffered -= len(chunk)
                if self._paused and self._buffered < HIGH_WATER // 4:
                    self._paused = False
                    conn.transport.resume_reading()
                yield chunk
            elif self._done:
                return
            elif self._error is not None:
                raise self._error
            else:
                await self._wait(conn.pool.read_timeout)

    def release(self) -> None:
        """Back to the pool if the answer was read to the end and may be kept alive."""
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        conn.pool._release(conn, self._done and self.keep_alive and not self._chunks)


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(ReadTimeout())


class _Connection(asyncio.Protocol):
    def __init__(self, pool: UpstreamPool) -> None:
        self.pool = pool
        self.loop = pool.loop
        self.transport: asyncio.Transport | None = None
        self.response: Response | None = None
        self.closed = False
        self.used = 0
        self.idle_since = 0.0
        self._drain: asyncio.Future | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        no_delay(transport)

    def data_received(self, data: bytes) -> None:
        response = self.response
        if response is None:  # nothing was asked: a broken upstream; drop it
            self.close()
            return
        response.received = True
        try:
            response.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            response._fail(ProtocolError(str(exc)))
            self.close()

    def connection_lost(self, exc) -> None:
        self.closed = True
        response = self.response
        if response is not None and not response._done:
            if not response._headers_done and not response.received:
                response._fail(Disconnected(repr(exc) if exc else "connection closed"))
            elif response._headers_done and not response.keep_alive and exc is None:
                # No Content-Length and not chunked: the body ends with the connection.
                response._done = True
                response._wake()
            else:
                response._fail(ProtocolError(repr(exc) if exc else "connection closed early"))
        if self._drain is not None and not self._drain.done():
            self._drain.set_exception(Disconnected("connection closed while sending"))

    def pause_writing(self) -> None:
        if self._drain is None or self._drain.done():
            self._drain = self.loop.create_future()

    def resume_writing(self) -> None:
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    async def drain(self) -> None:
        if self.closed:
            raise Disconnected("connection closed while sending")
        if self._drain is not None and not self._drain.done():
            await self._drain

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class UpstreamPool:
    """Keep-alive connections to one upstream (`http://host:port`), at most `size` in use
    at once, dropped after `keepalive` idle seconds (shorter than the upstream's own
    keep-alive, so it is not the one closing them).

    Idle connections are reused in turn, oldest first, not newest first: an upstream
    runs several worker processes (gunicorn) and each connection belongs to the worker
    that accepted it, so reusing the most recent one would pile the traffic onto one
    worker while the others idle (bench/gateway at half the upstream's capacity: p50
    through the gateway of 15-129 ms with newest-first reuse, 10-13 ms in turn)."""

    def __init__(
        self,
        url: str,
        *,
        size: int,
        connect_timeout: float,
        read_timeout: float,
        keepalive: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ImproperlyConfigured(f"upstream {url!r}: expected http://host:port")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.host_header = parts.netloc.encode()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.keepalive = keepalive
        self.loop = asyncio.get_running_loop()
        self._idle: collections.deque[_Connection] = collections.deque()
        self._slots = asyncio.Semaphore(size)

    async def request(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: AsyncIterator[bytes] | None = None,
        content_length: int | None = None,
    ) -> Response:
        """Send one request; returns once the answer's status and headers are in.
        `body` streams with `content_length` when known, else chunked."""
        await self._slots.acquire()
        try:
            conn = await self._connection()
        except BaseException:
            self._slots.release()
            raise
        response = Response(conn, head=method == "HEAD")
        conn.response = response
        conn.used += 1
        try:
            lines = [method.encode(), b" ", target, b" HTTP/1.1\r\nhost: ", self.host_header]
            for name, value in headers:
                lines += (b"\r\n", name, b": ", value)
            if body is None:
                if method in ("POST", "PUT", "PATCH"):
                    lines.append(b"\r\ncontent-length: 0")
            elif content_length is not None:
                lines += (b"\r\ncontent-length: ", str(content_length).encode())
            else:
                lines.append(b"\r\ntransfer-encoding: chunked")
            lines.append(b"\r\n\r\n")
            conn.transport.write(b"".join(lines))
            if body is not None:
                await self._send_body(conn, response, body, chunked=content_length is None)
            await response._wait_headers(self.read_timeout)
        except BaseException:
            response.keep_alive = False
            response.release()
            raise
        return response

    async def _send_body(self, conn, response, body, *, chunked: bool) -> None:
        write = conn.transport.write
        async for chunk in body:
            if response._headers_done or response._error is not None:
                # Answered (or failed) before the body was read: stop sending; the
                # connection is left mid-request, so it is not reused.
                response.keep_alive = False
                return
            if chunked:
                write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                write(chunk)
            try:
                await conn.drain()
            except Disconnected:
                if response._headers_done:  # it answered, then hung up: relay the answer
                    response.keep_alive = False
                    return
                raise
        if chunked:
            write(b"0\r\n\r\n")

    async def _connection(self) -> _Connection:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.popleft()
            if not conn.closed and now - conn.idle_since < self.keepalive:
                return conn
            conn.close()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, conn = await self.loop.create_connection(
                    lambda: _Connection(self), self.host, self.port
                )
        except TimeoutError as exc:
            raise ConnectTimeout(f"{self.host}:{self.port}") from exc
        except OSError as exc:
            raise ConnectFailed(f"{self.host}:{self.port}: {exc}") from exc
        return conn

    def _release(self, conn: _Connection, reusable: bool) -> None:
        conn.response = None
        if reusable and not conn.closed:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
        self._slots.release()

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
