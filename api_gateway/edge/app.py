"""The gateway's ASGI application: `/api/*` and `/ws/*` are proxied, `/metrics` is served
here, everything else (`/healthz`, `/readyz`, unknown paths) goes to Django."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
import time
from collections.abc import AsyncIterator

import aiohttp
from django.conf import settings
from redis.exceptions import RedisError

from rentezy_common.errors import error_body
from rentezy_common.gateway import HEADER_REQUEST_ID, IDENTITY_HEADERS, sign_request
from rentezy_common.logs import clean_request_id, reset_request_id, set_request_id

from . import config, metrics
from .breaker import CircuitBreaker
from .ratelimit import Decision, RateLimiter, redis_unavailable
from .resp import RedisPipe
from .session import PREFIX as SESSION_PREFIX
from .session import SessionApi
from .tokens import (
    AuthUnavailable,
    Caller,
    TokenValidator,
    bearer_token,
    token_key,
    well_formed,
)
from .upstream import UpstreamError, UpstreamPool
from .webapp import WebApp

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
HOP_BY_HOP_BYTES = frozenset(h.encode() for h in HOP_BY_HOP)
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
            # The client's "100 Continue" comes from the gateway's own server; the
            # upstream is sent the body without waiting for one.
            "expect",
            # Framing is the gateway's: a streamed body goes on as it arrived or chunked.
            "content-length",
        }
    )
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


def write_access_log(request: Request, **fields) -> None:
    """One JSON line per request on stderr, in the shape of rentezy_common.logs'
    JsonFormatter, written directly: building a LogRecord and passing it through logging's
    handlers cost a seventh of the gateway's CPU per request. `rentezy.access` still
    decides whether it is written (LOG_LEVEL, or that logger's level in LOGGING)."""
    now = time.time()
    entry = {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z",
        "level": "INFO",
        "logger": "rentezy.access",
        "message": f"{request.method} {request.path} {fields['status']}",
        "service": settings.SERVICE_NAME,
        "request_id": request.request_id,
        "method": request.method,
        "path": request.path,
        **fields,
        "user_id": request.caller.user_id if request.caller else None,
        "client_ip": request.client_ip,
    }
    sys.stderr.write(json.dumps(entry, ensure_ascii=False) + "\n")


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
        self.session: aiohttp.ClientSession | None = None  # introspection, WebSockets
        self.pools: dict[str, UpstreamPool] = {}  # the proxy path
        self.redis = None
        self.breakers: dict[str, CircuitBreaker] = {}
        self.session_api = SessionApi(self)  # /api/session/* (edge/session.py)
        self.webapp = WebApp(settings.GATEWAY_WEBAPP_DIR) if settings.GATEWAY_WEBAPP_DIR else None

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
        self.redis = RedisPipe(settings.REDIS_URL, timeout=settings.GATEWAY_REDIS_TIMEOUT)
        self.pools = {
            name: UpstreamPool(
                upstream.url,
                size=settings.GATEWAY_UPSTREAM_POOL_SIZE,
                connect_timeout=upstream.connect_timeout,
                read_timeout=upstream.read_timeout,
            )
            for name, upstream in self.config.upstreams.items()
        }
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
        # Everything loaded so far (Django, settings, modules) lives as long as the
        # process: move it out of the collector's sight, so a full collection scans only
        # what requests allocate instead of stalling every request for tens of ms.
        gc.collect()
        gc.freeze()

    async def shutdown(self) -> None:
        for pool in self.pools.values():
            pool.close()
        if self.session is not None:
            await self.session.close()
        if self.redis is not None:
            self.redis.close()

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            if path.startswith("/api/"):
                return await self.http(scope, receive, send)
            if path == "/metrics":
                body, content_type = metrics.exposition()
                return await self._respond(send, 200, body, content_type=content_type.encode())
            if self.webapp is not None and WebApp.wants(path):  # the web app (edge/webapp.py)
                return await self.webapp(scope, receive, send)
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
            metrics.observe_request(route_name, upstream_name, request.method, status, elapsed)
            if access_log.isEnabledFor(logging.INFO):
                write_access_log(
                    request,
                    status=status,
                    route=route_name,
                    upstream=upstream_name,
                    latency_ms=round(elapsed * 1000, 2),
                    bytes_sent=sent,
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
        if route.prefix.startswith(SESSION_PREFIX):  # answered here, not proxied
            return await self.session_api.handle(request, route, decision, receive, send)
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

    def _upstream_headers(self, request: Request) -> list[tuple[bytes, bytes]]:
        headers = [(k, v) for k, v in request.headers if k not in STRIPPED_FROM_CLIENT]
        caller = request.caller
        signed = sign_request(
            secret=settings.GATEWAY_SIGNING_SECRETS[0],
            method=request.method,
            path=request.scope.get("raw_path", b"").decode("latin-1") or request.path,
            query=request.scope.get("query_string", b"").decode("latin-1"),
            user_id=caller.user_id if caller else None,
            role=caller.role if caller else None,
            request_id=request.request_id,
        )
        headers += [(k.lower().encode(), v.encode("latin-1")) for k, v in signed.items()]
        headers.append((b"x-forwarded-for", request.client_ip.encode()))
        headers.append((b"x-forwarded-proto", request.scope.get("scheme", "http").encode()))
        host = request.header(b"host")
        if host:
            headers.append((b"x-forwarded-host", host.encode("latin-1")))
        return headers

    async def _forward(self, request, route, cors, decision, receive, send) -> tuple[int, int]:
        query = request.scope.get("query_string", b"")
        # The path exactly as the client encoded it.
        target = request.scope.get("raw_path") or request.path.encode()
        if query:
            target += b"?" + query
        length = request.header(b"content-length")
        chunked = request.header(b"transfer-encoding") is not None
        has_body = chunked or length not in (None, "0")
        reader = _BodyReader(receive, route.max_body) if has_body else None
        content_length = None if chunked or length is None else int(length)
        try:
            return await self._attempts(
                request, route, cors, decision, reader, target, content_length, send
            )
        except BodyTooLarge:
            return await self._error(send, request, *self._too_large(route), cors), 0
        except ClientGone:
            return 499, 0  # nginx's "client closed request"; nothing more is sent

    async def _attempts(self, request, route, cors, decision, reader, target, length, send):
        upstream = route.upstream
        pool = self.pools[upstream.name]
        breaker = self.breakers[upstream.name]
        idempotent = request.method in IDEMPOTENT and reader is None
        attempts = 1 + (upstream.retries if idempotent else 0)
        headers = self._upstream_headers(request)
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
                response = await pool.request(
                    request.method,
                    target,
                    headers,
                    reader.stream() if reader else None,
                    length,
                )
            except UpstreamError as failure:
                if reader is not None and reader.error is not None:
                    raise reader.error from None  # the client's fault, not the upstream's
                breaker.failure()
                metrics.UPSTREAM_FAILURES.labels(upstream.name, failure.kind).inc()
                if failure.retryable and not last:
                    await asyncio.sleep(0.05 * (attempt + 1))
                    continue
                extra = [(b"retry-after", b"1")] if failure.status == 503 else []
                return await self._error(
                    send,
                    request,
                    *_json(failure.status, failure.code, failure.message.format(upstream.name)),
                    cors,
                    extra,
                ), 0
            breaker.success()
            try:
                return response.status, await self._relay_response(
                    request, upstream.name, response, cors, decision, send
                )
            finally:
                response.release()
        raise AssertionError("unreachable")

    async def _relay_response(self, request, upstream, response, cors, decision, send) -> int:
        headers = [
            (lowered, value)
            for name, value in response.headers
            if (lowered := name.lower()) not in HOP_BY_HOP_BYTES
        ]
        headers.append((b"x-request-id", request.request_id.encode()))
        headers.extend(cors)
        headers.extend(decision.headers())
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        sent = 0
        try:
            if request.method != "HEAD":
                async for chunk in response.chunks():
                    sent += len(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except Exception as exc:
            logger.warning("response from %s aborted: %r", upstream, exc)
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
