"""CORS for the web app's origins (GATEWAY_CORS_ORIGINS): preflights are answered at the
edge, responses to those origins expose the headers a client needs (request id, retry
and rate-limit headers). Bearer tokens, not cookies: no credentials mode."""

from __future__ import annotations

from collections.abc import Iterable

from .exchange import Exchange

ALLOW_HEADERS = b"authorization, content-type, idempotency-key, x-request-id"
EXPOSE_HEADERS = (
    b"x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset"
)
ALLOW_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"


class Cors:
    def __init__(self, origins: Iterable[str]) -> None:
        self.origins = {origin.encode() for origin in origins}

    def headers(self, exchange: Exchange) -> list[tuple[bytes, bytes]]:
        """Headers for a response to this request (none for other origins)."""
        origin = exchange.header(b"origin")
        if origin is None or origin.encode() not in self.origins:
            return []
        return [
            (b"access-control-allow-origin", origin.encode()),
            (b"access-control-expose-headers", EXPOSE_HEADERS),
            (b"vary", b"Origin"),
        ]

    @staticmethod
    def is_preflight(exchange: Exchange) -> bool:
        return exchange.method == "OPTIONS" and bool(
            exchange.header(b"access-control-request-method")
        )

    async def preflight(self, exchange: Exchange) -> None:
        headers = list(exchange.cors)
        if exchange.cors:
            headers += [
                (b"access-control-allow-methods", ALLOW_METHODS),
                (b"access-control-allow-headers", ALLOW_HEADERS),
                (b"access-control-max-age", b"600"),
            ]
        await exchange.respond(204, b"", headers=headers)
