"""The gateway's ASGI application: `/api/*` and `/ws/*` are proxied, `/metrics` is served
here, everything else (`/healthz`, `/readyz`, unknown paths) goes to Django."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
import redis.asyncio as aioredis
from django.conf import settings
from multidict import CIMultiDict
from redis.exceptions import RedisError
from yarl import URL

from rentezy_common.errors import error_body
from rentezy_common.gateway import HEADER_REQUEST_ID, IDENTITY_HEADERS, sign_request
from rentezy_common.logs import clean_request_id, reset_request_id, set_request_id

from . import config, metrics
from .breaker import CircuitBreaker
from .ratelimit import Decision, RateLimiter, redis_unavailable
from .tokens import (
    AuthUnavailable,
    Caller,
    TokenValidator,
    bearer_token,
    token_key,
    well_formed,
)

logger = logging.getLogger("rentezy.gateway")
access_log = logging.getLogger("rentezy.access")

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
STRIPPED_FROM_CLIENT = (
    HOP_BY_HOP
    | {h.lower() for h in (*IDENTITY_HEADERS, HEADER_REQUEST_ID)}
    | {
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-real-ip",
        "forwarded",
    }
)
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
CORS_ALLOW_HEADERS = b"authorization, content-type, idempotency-key, x-request-id"
CORS_EXPOSE_HEADERS = (
    b"x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset"
)
CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


class ResponseAborted(Exception):
    """The upstream failed after the response had started: the client's connection is
    dropped (there is no way to send an error any more)."""

    def __init__(self, status: int, sent: int) -> None:
        super().__init__(status, sent)
        self.status, self.sent = status, sent


def _json(status: int, code: str, message: str, details=None) -> tuple[int, bytes]:
    return status, json.dumps(error_body(code, message, details)).encode()


class Request:
    """What the gateway knows about one HTTP request."""

    __slots__ = (
        "caller",
        "client_ip",
        "headers",
        "method",
        "path",
        "request_id",
        "scope",
        "started",
    )

    def __init__(self, scope, trusted_proxy_hops: int = 0) -> None:
        self.scope = scope
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        # Lower-case names (ASGI guarantees it); first value wins for lookups.
        self.headers: list[tuple[bytes, bytes]] = scope["headers"]
        self.request_id = clean_request_id(self.header(b"x-request-id"))
        self.started = time.perf_counter()
        self.caller: Caller | None = None
        self.client_ip = self._client_ip(trusted_proxy_hops)

    def header(self, name: bytes) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode("latin-1")
        return None

    def _client_ip(self, hops: int) -> str:
        """The socket peer, or with N trusted proxies in front the N-th address from the
        right of X-Forwarded-For (the one our own load balancer saw)."""
        if hops:
            forwarded = [p.strip() for p in (self.header(b"x-forwarded-for") or "").split(",")]
            forwarded = [p for p in forwarded if p]
            if len(forwarded) >= hops:
                return forwarded[-hops]
        client = self.scope.get("client")
        return client[0] if client else "unknown"


class Gateway:
    def __init__(self, django_app) -> None:
        self.django_app = django_app
        self.config: config.GatewayConfig | None = None
        self.session: aiohttp.ClientSession | None = None
        self.redis = None
        self.breakers: dict[str, CircuitBreaker] = {}

    # --- lifecycle ---------------------------------------------------------------------

    async def startup(self) -> None:
        self.config = config.load()
        connector = aiohttp.TCPConnector(
            limit=settings.GATEWAY_UPSTREAM_POOL_SIZE,
            limit_per_host=settings.GATEWAY_UPSTREAM_POOL_SIZE,
            ttl_dns_cache=300,
            keepalive_timeout=30,
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # bodies pass through as the upstream encoded them
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
        )
        self.redis = aioredis.Redis.from_url(
            settings.REDIS_URL,
            max_connections=settings.GATEWAY_REDIS_POOL_SIZE,
            socket_timeout=settings.GATEWAY_REDIS_TIMEOUT,
            socket_connect_timeout=settings.GATEWAY_REDIS_TIMEOUT,
        )
        self.breakers = {
            name: CircuitBreaker(
                name,
                threshold=settings.GATEWAY_BREAKER_FAILURES,
                reset_after=settings.GATEWAY_BREAKER_RESET_SECONDS,
            )
            for name in self.config.upstreams
        }
        self.limiter = RateLimiter(self.redis)
        self.tokens = TokenValidator(
            redis=self.redis,
            session=self.session,
            auth=self.config.upstreams["auth"],
            breaker=self.breakers["auth"],
            signing_secret=settings.GATEWAY_SIGNING_SECRETS[0],
            cache_seconds=settings.GATEWAY_TOKEN_CACHE_SECONDS,
        )
        self.cors_origins = {o.encode() for o in settings.GATEWAY_CORS_ORIGINS}

    async def shutdown(self) -> None:
        if self.session is not None:
            await self.session.close()
        if self.redis is not None:
            await self.redis.aclose()

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            if path.startswith("/api/"):
                return await self.http(scope, receive, send)
            if path == "/metrics":
                body, content_type = metrics.exposition()
                return await self._respond(send, 200, body, content_type=content_type.encode())
            return await self.django_app(scope, receive, send)
        if kind == "websocket":
            return await self.websocket(scope, receive, send)
        if kind == "lifespan":
            return await self.lifespan(receive, send)

    async def lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    logger.exception("gateway failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- HTTP ----------------------------------------------------------------------------

    async def http(self, scope, receive, send) -> None:
        request = Request(scope, settings.GATEWAY_TRUSTED_PROXY_HOPS)
        token = set_request_id(request.request_id)
        route_name, upstream_name, status, sent = "none", "none", 500, 0
        try:
            route = self.config.match(request.path)
            if route is None or route.websocket:
                status = 404
                return await self._error(send, request, *_json(404, "not_found", "Not found."))
            route_name, upstream_name = route.prefix, route.upstream.name
            cors = self._cors_headers(request)
            if request.method == "OPTIONS" and request.header(b"access-control-request-method"):
                status = 204
                return await self._preflight(send, request, cors)
            status, sent = await self._handle(request, route, cors, receive, send)
        except ResponseAborted as aborted:
            status, sent = aborted.status, aborted.sent
        except Exception:
            logger.exception("gateway error")
            status = 500
            # Only reachable before the response started (later failures end the stream).
            await self._error(send, request, *_json(500, "internal_error", "Gateway error."))
        finally:
            elapsed = time.perf_counter() - request.started
            metrics.REQUESTS.labels(route_name, upstream_name, request.method, status).inc()
            metrics.LATENCY.labels(route_name, upstream_name).observe(elapsed)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "route": route_name,
                    "upstream": upstream_name,
                    "user_id": request.caller.user_id if request.caller else None,
                    "client_ip": request.client_ip,
                    "latency_ms": round(elapsed * 1000, 2),
                    "bytes_sent": sent,
                },
            )
            reset_request_id(token)

    async def _handle(self, request: Request, route, cors, receive, send) -> tuple[int, int]:
        """Returns (status, bytes sent)."""
        length = request.header(b"content-length")
        if length is not None:
            if not length.isdigit():
                return await self._error(
                    send, request, *_json(400, "bad_request", "Invalid Content-Length."), cors
                ), 0
            if int(length) > route.max_body:
                return await self._error(send, request, *self._too_large(route), cors), 0

        # Identity: required for the route (or method), or optional but then checked.
        raw_token = bearer_token(request.header(b"authorization"))
        if raw_token is None and route.needs_identity(request.method):
            return await self._error(
                send,
                request,
                *_json(401, "authentication_required", "Sign in to do this."),
                cors,
                [(b"www-authenticate", b'Bearer realm="rentezy"')],
            ), 0
        decision = None
        if raw_token is not None:
            try:
                request.caller, decision = await self._identify(request, route, raw_token)
            except AuthUnavailable:
                return await self._error(
                    send,
                    request,
                    *_json(503, "auth_unavailable", "Cannot verify the caller right now."),
                    cors,
                    [(b"retry-after", b"1")],
                ), 0
            if request.caller is None:
                return await self._error(
                    send,
                    request,
                    *_json(401, "invalid_token", "The access token is invalid or expired."),
                    cors,
                    [(b"www-authenticate", b'Bearer realm="rentezy", error="invalid_token"')],
                ), 0

        if decision is None:
            decision = await self._rate_limit(request, route)
        if not decision.allowed:
            metrics.RATE_LIMITED.labels(route.bucket).inc()
            return await self._error(
                send,
                request,
                *_json(429, "rate_limited", "Too many requests. Slow down and retry later."),
                cors,
                decision.headers(),
            ), 0
        return await self._forward(request, route, cors, decision, receive, send)

    async def _identify(self, request: Request, route, token: str):
        """(caller or None, rate-limit decision or None). A cached token is looked up and
        counted against its bucket in one Redis round trip."""
        if not well_formed(token):
            return None, None
        key = token_key(token)
        try:
            found = await self.limiter.cached_token_hit(
                key,
                route.bucket,
                route.rate_limit_key,
                "ip:" + request.client_ip,
                route.rate_limit,
            )
        except RedisError as exc:
            # No cache, no counting: ask auth_service directly (one call per token at a
            # time in this process) and let the request through uncounted.
            redis_unavailable("token_cache", exc)
            caller = await self.tokens.introspect(token, key, request.request_id)
            return caller, Decision.uncounted(route.rate_limit)
        if found is not None:
            cached, decision = found
            return self.tokens.from_cache(token, key, cached, request.request_id), decision
        return await self.tokens.introspect(token, key, request.request_id), None

    async def _rate_limit(self, request: Request, route) -> Decision:
        if route.rate_limit_key == "user" and request.caller is not None:
            client = "u:" + request.caller.user_id
        else:
            client = "ip:" + request.client_ip
        return await self.limiter.hit(route.bucket, client, route.rate_limit)

    def _upstream_headers(self, request: Request, route) -> CIMultiDict:
        headers = CIMultiDict()
        for name, value in request.headers:
            key = name.decode("latin-1")
            if key not in STRIPPED_FROM_CLIENT:
                headers.add(key, value.decode("latin-1"))
        caller = request.caller
        headers.update(
            sign_request(
                secret=settings.GATEWAY_SIGNING_SECRETS[0],
                method=request.method,
                path=request.scope.get("raw_path", b"").decode("latin-1") or request.path,
                query=request.scope.get("query_string", b"").decode("latin-1"),
                user_id=caller.user_id if caller else None,
                role=caller.role if caller else None,
                request_id=request.request_id,
            )
        )
        headers["X-Forwarded-For"] = request.client_ip
        headers["X-Forwarded-Proto"] = request.scope.get("scheme", "http")
        host = request.header(b"host")
        if host:
            headers["X-Forwarded-Host"] = host
        return headers

    async def _forward(self, request, route, cors, decision, receive, send) -> tuple[int, int]:
        upstream = route.upstream
        query = request.scope.get("query_string", b"").decode("latin-1")
        raw_path = request.scope.get("raw_path") or request.path.encode()
        # encoded=True: forward the path exactly as the client encoded it
        url = URL(
            upstream.url + raw_path.decode("latin-1") + (f"?{query}" if query else ""), encoded=True
        )
        has_body = request.header(b"content-length") not in (None, "0") or (
            request.header(b"transfer-encoding") is not None
        )
        reader = _BodyReader(receive, route.max_body) if has_body else None
        try:
            return await self._attempts(request, route, cors, decision, reader, url, send)
        except BodyTooLarge:
            return await self._error(send, request, *self._too_large(route), cors), 0
        except ClientGone:
            return 499, 0  # nginx's "client closed request"; nothing more is sent

    async def _attempts(self, request, route, cors, decision, reader, url, send):
        upstream = route.upstream
        breaker = self.breakers[upstream.name]
        idempotent = request.method in IDEMPOTENT and reader is None
        attempts = 1 + (upstream.retries if idempotent else 0)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=upstream.connect_timeout, sock_read=upstream.read_timeout
        )
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            if not breaker.allow():
                return await self._error(
                    send,
                    request,
                    *_json(503, "upstream_unavailable", f"The {upstream.name} service is down."),
                    cors,
                    [(b"retry-after", str(breaker.retry_after()).encode())],
                ), 0
            try:
                async with self.session.request(
                    request.method,
                    url,
                    headers=self._upstream_headers(request, route),
                    data=reader.stream() if reader else None,
                    allow_redirects=False,
                    timeout=timeout,
                ) as response:
                    breaker.success()
                    return response.status, await self._relay_response(
                        request, response, cors, decision, send
                    )
            except (BodyTooLarge, ClientGone, ResponseAborted):
                raise
            except Exception as exc:
                if reader is not None and reader.error is not None:
                    raise reader.error from None  # the client's fault, not the upstream's
                failure = _classify(exc)
                if failure is None:
                    raise
                kind, status, code, message, retryable = failure
                breaker.failure()
                metrics.UPSTREAM_FAILURES.labels(upstream.name, kind).inc()
                if retryable and not last:
                    await asyncio.sleep(0.05 * (attempt + 1))
                    continue
                extra = [(b"retry-after", b"1")] if status == 503 else []
                return await self._error(
                    send,
                    request,
                    *_json(status, code, message.format(upstream.name)),
                    cors,
                    extra,
                ), 0
        raise AssertionError("unreachable")

    async def _relay_response(self, request, response, cors, decision, send) -> int:
        headers = [
            (name.lower(), value)
            for name, value in response.raw_headers
            if name.lower().decode("latin-1") not in HOP_BY_HOP
        ]
        headers.append((b"x-request-id", request.request_id.encode()))
        headers.extend(cors)
        headers.extend(decision.headers())
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        sent = 0
        try:
            if request.method != "HEAD":
                async for chunk in response.content.iter_chunked(CHUNK):
                    sent += len(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except Exception as exc:
            logger.warning("response from %s aborted: %r", response.url.host, exc)
            raise ResponseAborted(response.status, sent) from exc
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return sent

    # --- responses made here -------------------------------------------------------------

    def _too_large(self, route) -> tuple[int, bytes]:
        return _json(
            413,
            "payload_too_large",
            f"The request body exceeds the {route.max_body} byte limit for this path.",
            {"max_bytes": route.max_body},
        )

    def _cors_headers(self, request: Request) -> list[tuple[bytes, bytes]]:
        origin = request.header(b"origin")
        if origin is None or origin.encode() not in self.cors_origins:
            return []
        return [
            (b"access-control-allow-origin", origin.encode()),
            (b"access-control-expose-headers", CORS_EXPOSE_HEADERS),
            (b"vary", b"Origin"),
        ]

    async def _preflight(self, send, request, cors) -> None:
        headers = list(cors)
        if cors:
            headers += [
                (b"access-control-allow-methods", b"GET, POST, PUT, PATCH, DELETE, OPTIONS"),
                (b"access-control-allow-headers", CORS_ALLOW_HEADERS),
                (b"access-control-max-age", b"600"),
            ]
        await self._respond(send, 204, b"", headers=headers, request=request)

    async def _error(self, send, request, status, body, cors=(), extra=()) -> int:
        await self._respond(send, status, body, headers=[*cors, *extra], request=request)
        return status

    async def _respond(
        self, send, status, body, *, content_type=b"application/json", headers=(), request=None
    ) -> None:
        out = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        if request is not None:
            out.append((b"x-request-id", request.request_id.encode()))
        out.extend(headers)
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    # --- WebSocket -------------------------------------------------------------------------

    async def websocket(self, scope, receive, send) -> None:
        from .websocket import proxy_websocket

        await proxy_websocket(self, scope, receive, send)


def _classify(exc: Exception):
    """(metric kind, status, code, message, retryable) for a failure to get an answer;
    None for anything that is not about the upstream. Only failures that happened before
    the upstream could have acted are retried."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "connect_timeout", 504, "upstream_timeout", "The {} service timed out.", True
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        return "timeout", 504, "upstream_timeout", "The {} service timed out.", False
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connect", 503, "upstream_unavailable", "The {} service is down.", True
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        # A kept-alive connection the upstream had closed: the request never ran.
        return "disconnect", 502, "bad_gateway", "The {} service failed to answer.", True
    if isinstance(exc, aiohttp.ClientError):
        return "protocol", 502, "bad_gateway", "The {} service sent a bad reply.", False
    return None


class _BodyReader:
    """Streams the client's body to the upstream chunk by chunk, enforcing the limit
    on bodies whose length was not declared up front."""

    def __init__(self, receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.received = 0
        self.error: Exception | None = None

    async def stream(self) -> AsyncIterator[bytes]:
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.error = ClientGone()
                raise self.error
            chunk = message.get("body", b"")
            self.received += len(chunk)
            if self.received > self.limit:
                self.error = BodyTooLarge()
                raise self.error
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return
