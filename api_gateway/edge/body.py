"""Request bodies are read in full at the edge before anything is sent upstream, the way
nginx buffers them by default (`proxy_request_buffering on`).

Why: a service's worker threads are few (gunicorn: 2 processes of 4 threads). Streaming a
client's body through would let a dozen clients that send a byte a second hold every
thread of a service (they locked everyone out of login). Here a slow client costs the
gateway one coroutine and one socket, and a service sees a complete request with a
`Content-Length`, whatever framing the client used (chunked bodies are de-chunked).

Limits, per route: more than `max_body` bytes is 413; a body that stalls for
GATEWAY_BODY_TIMEOUT seconds, or that after that grace period arrives slower on average
than GATEWAY_BODY_MIN_RATE bytes a second, is 408 (ASP.NET Core's Kestrel enforces the
same kind of minimum data rate). Both answers close the connection.

Memory: up to SPOOL_BYTES of a body stay in memory; larger bodies (photo uploads) spill
to a temporary file, so concurrent uploads cost disk pages, not RSS.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator

from . import refusal
from .exchange import Exchange

SPOOL_BYTES = 1024 * 1024  # larger bodies go to a temporary file
CHUNK = 64 * 1024  # bytes per write to the upstream


class ClientGone(Exception):
    """The client disconnected while sending its body: nothing more can be sent."""


class Body:
    """A complete request body, possibly spooled to disk."""

    def __init__(self) -> None:
        self.size = 0
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self.size += len(data)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body from the start (each call starts over: a retried request resends)."""
        self._file.seek(0)
        while True:
            data = self._file.read(CHUNK)
            if not data:
                return
            yield data

    def read(self) -> bytes:
        """The whole body (for the few bodies the gateway reads itself: sessions)."""
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._file.close()


def declared_length(exchange: Exchange, limit: int) -> int | None:
    """The Content-Length the client declared (None if it did not), checked against the
    route's limit before anything else is done for the request."""
    length = exchange.header(b"content-length")
    if length is None:
        return None
    if not length.isdigit():
        raise refusal.bad_request("Invalid Content-Length.")
    if int(length) > limit:
        raise refusal.too_large(limit)
    return int(length)


def has_body(exchange: Exchange) -> bool:
    length = exchange.header(b"content-length")
    return exchange.header(b"transfer-encoding") is not None or length not in (None, "0")


async def read_body(
    exchange: Exchange, *, limit: int, idle_timeout: float, min_rate: float
) -> Body | None:
    """The client's whole body, or None if the request has none."""
    if not has_body(exchange):
        return None
    loop = asyncio.get_running_loop()
    started = loop.time()
    body = Body()
    try:
        while True:
            # The latest moment the next bytes may arrive: within the idle timeout, and
            # before the average rate since the grace period falls under the minimum.
            now = loop.time()
            rate_deadline = started + idle_timeout + body.size / min_rate if min_rate else None
            wait = idle_timeout if rate_deadline is None else min(idle_timeout, rate_deadline - now)
            if wait <= 0:
                raise refusal.body_timeout()
            try:
                message = await asyncio.wait_for(exchange.receive(), wait)
            except TimeoutError:
                raise refusal.body_timeout() from None
            if message["type"] == "http.disconnect":
                raise ClientGone()
            chunk = message.get("body", b"")
            if body.size + len(chunk) > limit:
                raise refusal.too_large(limit)
            if chunk:
                body.write(chunk)
            if not message.get("more_body", False):
                return body
    except BaseException:
        body.close()
        raise
