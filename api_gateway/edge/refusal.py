"""Answers the gateway gives itself instead of forwarding: one exception type, rendered in
one place (`Exchange.refuse`), always in the platform's error shape
`{"error": {"code", "message", "details"}}`.

Raise a `Refusal` anywhere on the request path; the HTTP handler catches it and writes
it with the exchange's CORS headers and request id.
"""

from __future__ import annotations

import json
from typing import Any

from rentezy_common.errors import error_body

WWW_AUTHENTICATE = b'Bearer realm="rentezy"'


class Refusal(Exception):
    """A response the gateway makes itself: status, code, message, details, headers.

    `close` asks for the client connection to be closed after the answer (a body the
    client is still sending is not worth reading)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        *,
        headers: list[tuple[bytes, bytes]] | tuple = (),
        close: bool = False,
    ) -> None:
        super().__init__(status, code, message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = list(headers)
        self.close = close

    def body(self) -> bytes:
        return json.dumps(error_body(self.code, self.message, self.details)).encode()


# --- the refusals of the request path, by name ----------------------------------------------


def not_found() -> Refusal:
    return Refusal(404, "not_found", "Not found.")


def authentication_required() -> Refusal:
    return Refusal(
        401,
        "authentication_required",
        "Sign in to do this.",
        headers=[(b"www-authenticate", WWW_AUTHENTICATE)],
    )


def invalid_token() -> Refusal:
    return Refusal(
        401,
        "invalid_token",
        "The access token is invalid or expired.",
        headers=[(b"www-authenticate", WWW_AUTHENTICATE + b', error="invalid_token"')],
    )


def auth_unavailable() -> Refusal:
    return Refusal(
        503,
        "auth_unavailable",
        "Cannot verify the caller right now.",
        headers=[(b"retry-after", b"1")],
    )


def rate_limited(headers, code: str = "rate_limited", message: str | None = None) -> Refusal:
    return Refusal(
        429, code, message or "Too many requests. Slow down and retry later.", headers=headers
    )


def too_large(limit: int) -> Refusal:
    return Refusal(
        413,
        "payload_too_large",
        f"The request body exceeds the {limit} byte limit for this path.",
        {"max_bytes": limit},
        close=True,
    )


def body_timeout() -> Refusal:
    return Refusal(
        408,
        "request_timeout",
        "The request body arrived too slowly.",
        close=True,
    )


def bad_request(message: str) -> Refusal:
    return Refusal(400, "bad_request", message, close=True)


def upstream_unavailable(upstream: str, retry_after: int) -> Refusal:
    return Refusal(
        503,
        "upstream_unavailable",
        f"The {upstream} service is down.",
        headers=[(b"retry-after", str(retry_after).encode())],
    )


def internal_error() -> Refusal:
    return Refusal(500, "internal_error", "Gateway error.")
