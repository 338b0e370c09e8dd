"""The gateway's ASGI application.

`/api/*` goes through the request path below, `/ws/*` through websocket.py; on the
internal metrics listener (GATEWAY_METRICS_PORT) only `/metrics` is served; the built web
app's files and client routes are served by webapp.py; `/healthz`, `/readyz` and
anything else go to Django. `/api/session/*` (the web app's cookie sessions, session.py)
goes through the request path like any route and is answered by the gateway itself.

The request path, one module per step:

1. route (config.py): longest prefix of the routing table, else 404;
2. CORS (cors.py): preflights answered here;
3. declared body size (body.py): over the route's limit is 413 before anything else;
4. identity and rate limit (identity.py): bearer token through auth_service, cached
   in Redis; the route's access mode; invalid-token guard; GCRA in Redis;
5. body (body.py): read in full, with a size limit and a minimum rate;
6. forward (proxy.py): signed identity, circuit breaker, pooled connections, the
   answer streamed back.

Routes with a `handler` (the API's document and docs page, apidocs.py) are answered
after step 4 by the gateway itself.

Any step may raise a `Refusal` (refusal.py); it is written in one place, with CORS
headers and the request id, by `Exchange.refuse`.
"""

from __future__ import annotations

import gc
import logging

import aiohttp
from django.conf import settings

from rentezy_common.logs import reset_request_id, set_request_id

from . import config, metrics, refusal
from .apidocs import ApiDocs
from .body import ClientGone, declared_length, read_body
from .breaker import CircuitBreaker
from .config import RateLimit
from .cors import Cors
from .exchange import Exchange
from .guards import LocalRate, NegativeCache
from .identity import Identifier
from .proxy import Proxy, ResponseAborted
from .ratelimit import RateLimiter
from .refusal import Refusal
from .resp import RedisPipe
from .session import PREFIX as SESSION_PREFIX
from .session import SessionApi
from .tokens import TokenValidator
from .upstream import UpstreamPool
from .webapp import WebApp

logger = logging.getLogger("rentezy.gateway")


class Gateway:
    """The ASGI application. Everything it needs is built at lifespan startup."""

    def __init__(self, django_app) -> None:
        self.django_app = django_app
        self.config: config.GatewayConfig | None = None
        self.session: aiohttp.ClientSession | None = None  # introspection, WebSockets
        self.redis: RedisPipe | None = None
        self.pools: dict[str, UpstreamPool] = {}
        self.breakers: dict[str, CircuitBreaker] = {}
        self.limiter: RateLimiter | None = None
        self.tokens: TokenValidator | None = None
        self.identity: Identifier | None = None
        self.proxy: Proxy | None = None
        self.cors: Cors | None = None
        self.apidocs: ApiDocs | None = None
        self.metrics_port: int | None = None
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
        self.identity = Identifier(
            tokens=self.tokens,
            limiter=self.limiter,
            invalid_tokens=LocalRate(RateLimit.parse(settings.GATEWAY_INVALID_TOKEN_LIMIT)),
            negative_cache=NegativeCache(settings.GATEWAY_INVALID_TOKEN_CACHE_SECONDS),
        )
        self.proxy = Proxy(self.pools, self.breakers)
        self.cors = Cors(settings.GATEWAY_CORS_ORIGINS)
        self.apidocs = ApiDocs(
            self.config,
            self.session,
            signing_secret=settings.GATEWAY_SIGNING_SECRETS[0],
            cache_seconds=settings.GATEWAY_OPENAPI_CACHE_SECONDS,
        )
        self.metrics_port = settings.GATEWAY_METRICS_PORT
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

    # --- dispatch ------------------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            server = scope.get("server")
            if server and server[1] == self.metrics_port:
                return await self.internal(scope, receive, send)
            path = scope["path"]
            if path.startswith("/api/"):
                return await self.http(scope, receive, send)
            if self.webapp is not None and WebApp.wants(path):  # the web app (edge/webapp.py)
                return await self.webapp(scope, receive, send)
            return await self.django_app(scope, receive, send)
        if kind == "websocket":
            from .websocket import proxy_websocket

            return await proxy_websocket(self, scope, receive, send)
        if kind == "lifespan":
            return await self.lifespan(receive, send)

    async def internal(self, scope, receive, send) -> None:
        """The metrics listener: Prometheus scrapes it; the public port never serves it."""
        exchange = Exchange(scope, receive, send)
        if scope["path"] == "/metrics":
            body, content_type = metrics.exposition()
            return await exchange.respond(200, body, content_type=content_type.encode())
        await exchange.refuse(refusal.not_found())

    # --- the HTTP request path -------------------------------------------------------------

    async def http(self, scope, receive, send) -> None:
        exchange = Exchange(scope, receive, send, settings.GATEWAY_TRUSTED_PROXY_HOPS)
        token = set_request_id(exchange.request_id)
        try:
            await self.handle(exchange)
        except Refusal as refused:
            await exchange.refuse(refused)
        except ClientGone:
            exchange.status = 499  # nginx's "client closed request": nothing can be sent
        except ResponseAborted:
            pass  # the status was sent; the connection is dropped
        except Exception:
            logger.exception("gateway error")
            if not exchange.response_started:
                await exchange.refuse(refusal.internal_error())
        finally:
            exchange.finish()
            reset_request_id(token)

    async def handle(self, exchange: Exchange) -> None:
        route = self.config.match(exchange.path)
        if route is None or route.websocket:
            raise refusal.not_found()
        exchange.route = route
        exchange.cors = self.cors.headers(exchange)
        if self.cors.is_preflight(exchange):
            return await self.cors.preflight(exchange)
        declared_length(exchange, route.max_body)
        await self.identity.admit(exchange)
        if route.handler:  # the gateway's own answers: /api/openapi.json, /api/docs/
            return await self.apidocs.serve(exchange)
        body = await read_body(
            exchange,
            limit=route.max_body,
            idle_timeout=settings.GATEWAY_BODY_TIMEOUT,
            min_rate=settings.GATEWAY_BODY_MIN_RATE,
        )
        try:
            if route.prefix.startswith(SESSION_PREFIX):  # answered here, not proxied
                raw = body.read() if body is not None else b""
                exchange.status, exchange.sent = await self.session_api.handle(
                    exchange, route, exchange.decision, raw, exchange.send
                )
                exchange.response_started = True
                return
            await self.proxy.forward(exchange, body)
        finally:
            if body is not None:
                body.close()
