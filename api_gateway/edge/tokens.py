"""Who is calling: bearer tokens validated by auth_service, cached briefly in Redis.

The gateway never holds the token signing secret. It asks auth_service
(`POST /internal/introspect`, signed like any forwarded request) and caches an active
answer under the token's SHA-256 for min(GATEWAY_TOKEN_CACHE_SECONDS, time to expiry).
That TTL is the bound on how long a revoked token (logout, password change,
deactivation) keeps working at the gateway. Inactive answers are not cached. Concurrent
misses for one token in one process share a single introspection call.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass

import aiohttp
from redis.exceptions import RedisError

from rentezy_common.gateway import ROLES, sign_request

from . import metrics
from .breaker import CircuitBreaker
from .config import Upstream
from .ratelimit import redis_unavailable

logger = logging.getLogger(__name__)

INTROSPECT_PATH = "/internal/introspect"


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str
    session_id: str = ""  # the token's `sid`: signed on to the services


class AuthUnavailable(Exception):
    """auth_service could not answer: the caller gets 503, not 401."""


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return ""  # present but malformed: refused like an invalid token
    return token


def token_key(token: str) -> str:
    return "gw:tok:" + hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    # A JWT has three dot-separated parts; anything else is refused without a call.
    return bool(token) and token.count(".") == 2 and len(token) <= 4096


class TokenValidator:
    """Cached answers are `user_id:role:session_id:refresh_at`. A hit after `refresh_at`
    (80% of the entry's life) still serves the cached answer but starts one background
    introspection, so in steady state no request waits for auth_service; an inactive
    answer deletes the entry at once. The entry's TTL is never extended without a fresh
    active answer, so the revocation bound stays the TTL."""

    REFRESH_AT = 0.8

    def __init__(
        self,
        *,
        redis,
        session: aiohttp.ClientSession,
        auth: Upstream,
        breaker: CircuitBreaker,
        signing_secret: str,
        cache_seconds: int,
    ) -> None:
        self.redis = redis
        self.session = session
        self.auth = auth
        self.breaker = breaker
        self.signing_secret = signing_secret
        self.cache_seconds = cache_seconds
        self._inflight: dict[str, asyncio.Future] = {}
        self._background: set[asyncio.Task] = set()

    def from_cache(self, token: str, key: str, cached: bytes, request_id: str) -> Caller:
        """The caller of a cached answer (counted as a hit); refreshes it ahead of expiry."""
        metrics.TOKEN_CACHE.labels("hit").inc()
        parts = cached.decode().split(":")
        if len(parts) == 3:  # cached before session ids were: "user:role:refresh_at"
            parts.insert(2, "")
        user_id, role, session_id, refresh_at = parts
        if time.time() >= float(refresh_at) and key not in self._inflight:
            task = asyncio.get_running_loop().create_task(self._refresh(token, key, request_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return Caller(user_id, role, session_id)

    async def validate(self, token: str, request_id: str) -> Caller | None:
        if not well_formed(token):
            return None
        key = token_key(token)
        try:
            cached = await self.redis.execute("GET", key)
        except RedisError as exc:
            redis_unavailable("token_cache", exc)
            cached = None
        if cached is not None:
            return self.from_cache(token, key, cached, request_id)
        return await self.introspect(token, key, request_id)

    async def introspect(self, token: str, key: str, request_id: str) -> Caller | None:
        """Ask auth_service (one call per token per process at a time) and cache."""
        metrics.TOKEN_CACHE.labels("miss").inc()
        return await self._shared(token, key, request_id)

    async def _refresh(self, token: str, key: str, request_id: str) -> None:
        metrics.TOKEN_CACHE.labels("refresh").inc()
        try:
            await self._shared(token, key, request_id)
        except AuthUnavailable:
            pass  # the cached answer stands until it expires
        except Exception:
            logger.exception("token refresh failed")

    async def _shared(self, token: str, key: str, request_id: str) -> Caller | None:
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            caller = await self._introspect(token, key, request_id)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when unshared
            raise
        else:
            future.set_result(caller)
            return caller
        finally:
            del self._inflight[key]

    async def _introspect(self, token: str, key: str, request_id: str) -> Caller | None:
        if not self.breaker.allow():
            raise AuthUnavailable("auth circuit open")
        headers = sign_request(
            secret=self.signing_secret,
            method="POST",
            path=INTROSPECT_PATH,
            request_id=request_id,
        )
        timeout = aiohttp.ClientTimeout(
            total=self.auth.connect_timeout + self.auth.read_timeout,
            connect=self.auth.connect_timeout,
        )
        try:
            async with self.session.post(
                self.auth.url + INTROSPECT_PATH,
                data=json.dumps({"token": token}),
                headers={**headers, "Content-Type": "application/json"},
                timeout=timeout,
            ) as response:
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.breaker.failure()
            metrics.UPSTREAM_FAILURES.labels("auth", type(exc).__name__).inc()
            raise AuthUnavailable(str(exc) or type(exc).__name__) from exc
        self.breaker.success()
        if response.status != 200:
            logger.error("introspection answered %s: %s", response.status, body[:200])
            raise AuthUnavailable(f"introspection answered {response.status}")
        answer = json.loads(body)
        caller = None
        if answer.get("active"):
            caller = Caller(
                str(answer.get("user_id", "")),
                str(answer.get("role", "")),
                str(answer.get("sid") or ""),
            )
            if (
                caller.role not in ROLES
                or not caller.user_id
                or ":" in caller.user_id
                or ":" in caller.session_id
            ):
                logger.error("introspection returned an unusable identity: %r", answer)
                caller = None
        try:
            if caller is None:
                await self.redis.execute("DEL", key)  # revoked since it was cached: forget it now
                return None
            now = time.time()
            ttl = min(self.cache_seconds, int(answer.get("exp", 0) - now))
            if ttl > 0:
                refresh_at = now + ttl * self.REFRESH_AT
                value = f"{caller.user_id}:{caller.role}:{caller.session_id}:{refresh_at:.3f}"
                await self.redis.execute("SET", key, value, "EX", ttl)
        except RedisError as exc:
            redis_unavailable("token_cache", exc)  # answered, just not cached
        return caller
