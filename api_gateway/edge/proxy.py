"""Forwarding: the upstream request carries the caller's signed identity instead of
anything the client claimed, goes through the upstream's circuit breaker and pooled
connections (upstream.py), and its answer streams back to the client.

Headers: hop-by-hop headers, client-sent identity, signature, request id and
`Forwarded`/`X-Forwarded-*` are dropped on the way in; the body (read in full at the
edge, body.py) always goes with a `Content-Length`. On the way out the upstream's
`Server`, `Date` and `X-Request-ID` are dropped: the gateway's server writes `Date`,
and the request id is the gateway's, so no header appears twice.
"""

from __future__ import annotations

import asyncio
import logging

from django.conf import settings

from rentezy_common.gateway import HEADER_REQUEST_ID, IDENTITY_HEADERS, sign_request

from . import metrics, refusal
from .body import Body
from .breaker import CircuitBreaker
from .exchange import Exchange
from .upstream import UpstreamError, UpstreamPool

logger = logging.getLogger("rentezy.gateway")

# Never forwarded in either direction (RFC 9110 §7.6.1), plus what the gateway sets itself.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
STRIPPED_FROM_CLIENT = frozenset(
    h.encode()
    for h in (
        HOP_BY_HOP
        | {h.lower() for h in (*IDENTITY_HEADERS, HEADER_REQUEST_ID)}
        | {
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host",
            "x-real-ip",
            "forwarded",
            # The client's "100 Continue" came from the gateway's own server; the
            # upstream is sent a complete body.
            "expect",
            # Framing is the gateway's: the body is forwarded with its own length.
            "content-length",
        }
    )
)
STRIPPED_FROM_UPSTREAM = frozenset(h.encode() for h in HOP_BY_HOP | {"server", "date"}) | {
    HEADER_REQUEST_ID.lower().encode()
}
# Methods retried when the request cannot have reached the upstream.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class ResponseAborted(Exception):
    """The upstream failed after the response had started: the client's connection is
    dropped (there is no way to send an error any more)."""


class Proxy:
    def __init__(self, pools: dict[str, UpstreamPool], breakers: dict[str, CircuitBreaker]):
        self.pools = pools
        self.breakers = breakers

    def upstream_headers(self, exchange: Exchange) -> list[tuple[bytes, bytes]]:
        headers = [(k, v) for k, v in exchange.headers if k not in STRIPPED_FROM_CLIENT]
        caller = exchange.caller
        scope = exchange.scope
        signed = sign_request(
            secret=settings.GATEWAY_SIGNING_SECRETS[0],
            method=exchange.method,
            path=scope.get("raw_path", b"").decode("latin-1") or exchange.path,
            query=scope.get("query_string", b"").decode("latin-1"),
            user_id=caller.user_id if caller else None,
            role=caller.role if caller else None,
            session_id=caller.session_id if caller else None,
            request_id=exchange.request_id,
        )
        headers += [(k.lower().encode(), v.encode("latin-1")) for k, v in signed.items()]
        headers.append((b"x-forwarded-for", exchange.client_ip.encode()))
        headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))
        host = exchange.header(b"host")
        if host:
            headers.append((b"x-forwarded-host", host.encode("latin-1")))
        return headers  # the pool adds the body's Content-Length

    async def forward(self, exchange: Exchange, body: Body | None) -> None:
        upstream = exchange.route.upstream
        pool = self.pools[upstream.name]
        breaker = self.breakers[upstream.name]
        scope = exchange.scope
        # The path exactly as the client encoded it.
        target = scope.get("raw_path") or exchange.path.encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        idempotent = exchange.method in IDEMPOTENT and body is None
        attempts = 1 + (upstream.retries if idempotent else 0)
        headers = self.upstream_headers(exchange)
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            if not breaker.allow():
                raise refusal.upstream_unavailable(upstream.name, breaker.retry_after())
            try:
                response = await pool.request(
                    exchange.method,
                    target,
                    headers,
                    body.chunks() if body is not None else None,
                    body.size if body is not None else None,
                )
            except UpstreamError as failure:
                breaker.failure()
                metrics.UPSTREAM_FAILURES.labels(upstream.name, failure.kind).inc()
                if failure.retryable and not last:
                    await asyncio.sleep(0.05 * (attempt + 1))
                    continue
                extra = [(b"retry-after", b"1")] if failure.status == 503 else []
                raise refusal.Refusal(
                    failure.status,
                    failure.code,
                    failure.message.format(upstream.name),
                    headers=extra,
                ) from None
            breaker.success()
            try:
                await self._relay(exchange, response)
            finally:
                response.release()
            return

    async def _relay(self, exchange: Exchange, response) -> None:
        headers = [
            (lowered, value)
            for name, value in response.headers
            if (lowered := name.lower()) not in STRIPPED_FROM_UPSTREAM
        ]
        headers.append((b"x-request-id", exchange.request_id.encode()))
        headers.extend(exchange.cors)
        headers.extend(exchange.decision.headers())
        await exchange.start_response(response.status, headers)
        send = exchange.send
        try:
            if exchange.method != "HEAD":
                async for chunk in response.chunks():
                    exchange.sent += len(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except Exception as exc:
            logger.warning("response from %s aborted: %r", exchange.route.upstream.name, exc)
            raise ResponseAborted() from exc
        await send({"type": "http.response.body", "body": b"", "more_body": False})
