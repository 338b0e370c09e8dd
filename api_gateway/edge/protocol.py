"""The gateway's HTTP/1.1 connection handling: uvicorn's httptools protocol with the
defences nginx has by default and uvicorn lacks.

- **Header timeout**: a request's line and headers must arrive within
  GATEWAY_HEADER_TIMEOUT seconds of its first byte (or of the connection opening), else
  408 and the connection is closed (nginx's `client_header_timeout`). Without it a
  client could hold a connection forever by never finishing its headers.
- **Size limits**: a request target over GATEWAY_MAX_URL_BYTES is 414, headers over
  GATEWAY_MAX_HEADER_BYTES in all are 431 (nginx's `large_client_header_buffers`);
  llhttp itself has no limit, so headers would grow in memory without end.
- **Connections per client IP**: at most GATEWAY_MAX_CONNECTIONS_PER_IP open at once in
  this process (nginx's `limit_conn`); one more gets 429 once its headers are in. Off
  when the gateway sits behind trusted proxies (GATEWAY_TRUSTED_PROXY_HOPS > 0): the
  peer is then the load balancer, which limits connections itself.
- **Errors in the platform's shape**: a malformed request gets the JSON error body every
  other answer has, not uvicorn's plain text.
"""

from __future__ import annotations

import json

import httptools
from django.conf import settings
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from rentezy_common.errors import error_body

from .guards import ConnectionCounter

_counter: ConnectionCounter | None = None


def _connections() -> ConnectionCounter:
    global _counter
    if _counter is None:
        limit = settings.GATEWAY_MAX_CONNECTIONS_PER_IP
        if settings.GATEWAY_TRUSTED_PROXY_HOPS:
            limit = 0
        _counter = ConnectionCounter(limit)
    return _counter


class _Refused(Exception):
    """Raised from a parser callback to stop parsing and answer with `status`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class GuardedHttpProtocol(HttpToolsProtocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = settings.GATEWAY_HEADER_TIMEOUT
        self.max_url = settings.GATEWAY_MAX_URL_BYTES
        self.max_header_bytes = settings.GATEWAY_MAX_HEADER_BYTES
        self._header_timer = None
        self._header_bytes = 0
        self._admitted_ip: str | None = None
        self._over_limit = False
        self._refused: _Refused | None = None

    # --- connection --------------------------------------------------------------------

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        ip = self.client[0] if self.client else "unknown"
        if _connections().admit(ip):
            self._admitted_ip = ip
        else:
            self._over_limit = True  # answered 429 once the request's headers are in
        self._arm_header_timer()

    def connection_lost(self, exc) -> None:
        self._cancel_header_timer()
        if self._admitted_ip is not None:
            _connections().release(self._admitted_ip)
            self._admitted_ip = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            refused = self._refused or _Refused(
                400, "bad_request", "The request is not valid HTTP/1.1."
            )
            self.logger.warning("refused request: %s", refused.code)
            self.send_error(refused.status, refused.code, refused.message)

    def handle_websocket_upgrade(self) -> None:
        # The WebSocket protocol takes the transport over and this object never hears of
        # the connection again: stop counting it here. WebSocket sessions are limited by
        # their route's connect rate (websocket.py).
        if self._admitted_ip is not None:
            _connections().release(self._admitted_ip)
            self._admitted_ip = None
        super().handle_websocket_upgrade()

    # --- parser callbacks ----------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        if self._header_timer is None:
            self._arm_header_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.max_url:
            self._refused = _Refused(
                414, "uri_too_long", f"The request target exceeds {self.max_url} bytes."
            )
            raise self._refused

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > self.max_header_bytes:
            self._refused = _Refused(
                431,
                "headers_too_large",
                f"The request headers exceed {self.max_header_bytes} bytes.",
            )
            raise self._refused
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        if self._over_limit:
            self.send_error(
                429,
                "too_many_connections",
                "Too many open connections from this address.",
                extra=[(b"retry-after", b"1")],
            )
            return
        super().on_headers_complete()

    # --- answers made here -------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:  # uvicorn's own callers
        self.send_error(400, "bad_request", msg)

    def send_error(self, status: int, code: str, message: str, extra=()) -> None:
        """Answer with the platform's error shape and close the connection."""
        if self.transport.is_closing():
            return
        body = json.dumps(error_body(code, message, None)).encode()
        head = [STATUS_LINE[status]]
        for name, value in [*self.server_state.default_headers, *extra]:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: ",
            str(len(body)).encode(),
            b"\r\nconnection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()

    # --- header timeout ------------------------------------------------------------------

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being handled: its headers were complete
        self.send_error(408, "request_timeout", "The request headers arrived too slowly.")
