"""Who is calling, and may they: the bearer token (validated through auth_service,
cached in Redis), the route's access mode, the rate limit, and the guard against
clients that spray invalid tokens.

The common case costs one Redis round trip: a cached token answer is looked up and the
request counted against the caller's bucket in one script (ratelimit.py). A token
auth_service calls invalid is remembered in this process for a few seconds (one
introspection call per bogus token, not one per request), and every invalid token a
client sends spends its budget (GATEWAY_INVALID_TOKEN_LIMIT per IP): once that is gone
it gets 429 without any call at all.
"""

from __future__ import annotations

import math

from redis.exceptions import RedisError

from . import metrics, refusal
from .exchange import Exchange
from .guards import LocalRate, NegativeCache
from .ratelimit import Decision, RateLimiter, redis_unavailable
from .tokens import AuthUnavailable, TokenValidator, bearer_token, token_key, well_formed


class Identifier:
    def __init__(
        self,
        *,
        tokens: TokenValidator,
        limiter: RateLimiter,
        invalid_tokens: LocalRate,
        negative_cache: NegativeCache,
    ) -> None:
        self.tokens = tokens
        self.limiter = limiter
        self.invalid_tokens = invalid_tokens
        self.negative_cache = negative_cache

    async def admit(self, exchange: Exchange) -> None:
        """Set `exchange.caller` and `exchange.decision`, or raise a Refusal (401, 429,
        503)."""
        route = exchange.route
        raw_token = bearer_token(exchange.header(b"authorization"))
        if raw_token is None:
            if route.needs_identity(exchange.method):
                raise refusal.authentication_required()
        else:
            await self._identify(exchange, raw_token)
        if exchange.decision is None:
            exchange.decision = await self._count(exchange)
        if not exchange.decision.allowed:
            metrics.RATE_LIMITED.labels(route.bucket).inc()
            raise refusal.rate_limited(exchange.decision.headers())

    async def _identify(self, exchange: Exchange, token: str) -> None:
        self._check_invalid_budget(exchange)
        if not well_formed(token):
            self._refuse_invalid(exchange)
        key = token_key(token)
        if key in self.negative_cache:
            metrics.TOKEN_CACHE.labels("negative").inc()
            self._refuse_invalid(exchange)
        route = exchange.route
        try:
            try:
                found = await self.limiter.cached_token_hit(
                    key,
                    route.bucket,
                    route.rate_limit_key,
                    "ip:" + exchange.client_ip,
                    route.rate_limit,
                )
            except RedisError as exc:
                # No cache: ask auth_service directly (one call per token at a time in
                # this process); the request is counted in this process's memory.
                redis_unavailable("token_cache", exc)
                exchange.caller = await self.tokens.introspect(token, key, exchange.request_id)
                if exchange.caller is not None:
                    exchange.decision = self.limiter.local_hit(
                        route.bucket, self._client_key(exchange), route.rate_limit
                    )
            else:
                if found is not None:
                    cached, exchange.decision = found
                    exchange.caller = self.tokens.from_cache(
                        token, key, cached, exchange.request_id
                    )
                else:
                    exchange.caller = await self.tokens.introspect(token, key, exchange.request_id)
        except AuthUnavailable:
            raise refusal.auth_unavailable() from None
        if exchange.caller is None:
            self.negative_cache.add(key)
            self._refuse_invalid(exchange)

    def _check_invalid_budget(self, exchange: Exchange) -> None:
        wait = self.invalid_tokens.blocked(exchange.client_ip)
        if wait:
            metrics.RATE_LIMITED.labels("invalid-token").inc()
            raise self._too_many_invalid(wait)

    def _refuse_invalid(self, exchange: Exchange):
        wait = self.invalid_tokens.spend(exchange.client_ip)
        if wait:
            metrics.RATE_LIMITED.labels("invalid-token").inc()
            raise self._too_many_invalid(wait)
        raise refusal.invalid_token()

    @staticmethod
    def _too_many_invalid(wait: float) -> refusal.Refusal:
        return refusal.rate_limited(
            [(b"retry-after", str(max(1, math.ceil(wait))).encode())],
            code="too_many_invalid_tokens",
            message="Too many invalid tokens from this address. Retry later.",
        )

    @staticmethod
    def _client_key(exchange: Exchange) -> str:
        if exchange.route.rate_limit_key == "user" and exchange.caller is not None:
            return "u:" + exchange.caller.user_id
        return "ip:" + exchange.client_ip

    async def _count(self, exchange: Exchange) -> Decision:
        route = exchange.route
        return await self.limiter.hit(route.bucket, self._client_key(exchange), route.rate_limit)
