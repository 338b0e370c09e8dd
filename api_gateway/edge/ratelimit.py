"""Rate limiting in Redis with GCRA (the generic cell rate algorithm).

One Lua script per request checks and updates a single key atomically on the Redis
server, so any number of gateway processes share the same limit exactly. GCRA keeps one
number per client (the theoretical arrival time), lets a burst of up to `limit` requests
through, then one request per `period / limit`; unlike a fixed window it cannot admit
twice the limit across a window boundary. Time comes from the Redis server (TIME), so
gateway clocks do not matter.

While Redis cannot be reached the limits still hold, counted in each process's memory
(guards.LocalRate): looser by the number of processes, never stricter, and no
`X-RateLimit-*` headers are claimed for them since they are not the shared count.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from redis.exceptions import RedisError

from . import metrics
from .config import RateLimit
from .guards import LocalRate
from .resp import RedisPipe, Script

logger = logging.getLogger(__name__)


def redis_unavailable(use: str, exc: Exception) -> None:
    metrics.REDIS_ERRORS.labels(use).inc()
    logger.warning("redis unavailable (%s): %r", use, exc)


# One GCRA step on `key`: returns {allowed, remaining, retry_after_ms, reset_after_ms}.
_GCRA_FUNCTION = """
local function gcra(key, emission, burst)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + emission
  local diff = now - (new_tat - burst * emission)
  if diff < 0 then
    return {0, 0, -diff, tat - now}
  end
  redis.call('SET', key, new_tat, 'PX', math.ceil(new_tat - now))
  return {1, math.floor(diff / emission), 0, new_tat - now}
end
"""

# KEYS[1] bucket key; ARGV[1] emission interval (ms), ARGV[2] burst (= limit).
GCRA = _GCRA_FUNCTION + "return gcra(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))"

# The common case in one round trip: look up a cached token answer ("user:role:…") and,
# if there is one, count the request against the caller's bucket.
# KEYS[1] token cache key; ARGV: emission ms, burst, bucket key prefix, key mode
# ("user" or "ip"), the client's ip key. Returns {0} on a cache miss (nothing counted),
# else {1, cached answer, allowed, remaining, retry_after_ms, reset_after_ms}.
# The bucket key is built in the script: fine on one Redis server (or a primary with
# replicas), not on Redis Cluster.
CACHED_TOKEN_AND_GCRA = (
    _GCRA_FUNCTION
    + """
local cached = redis.call('GET', KEYS[1])
if not cached then return {0} end
local client = ARGV[5]
if ARGV[4] == 'user' then client = 'u:' .. string.match(cached, '^([^:]*)') end
local d = gcra(ARGV[3] .. client, tonumber(ARGV[1]), tonumber(ARGV[2]))
return {1, cached, d[1], d[2], d[3], d[4]}
"""
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds (rounded up), 0 when allowed
    reset_after: int  # seconds until the bucket is full again
    counted: bool = True  # False when Redis could not be asked (the request was let through)

    @classmethod
    def local(cls, rate: RateLimit, wait: float) -> Decision:
        """Decided in this process's memory while Redis is away."""
        retry = max(1, math.ceil(wait)) if wait else 0
        return cls(not wait, rate.limit, rate.limit, retry, 0, counted=False)

    def headers(self) -> list[tuple[bytes, bytes]]:
        if not self.counted:
            return [] if self.allowed else [(b"retry-after", str(self.retry_after).encode())]
        headers = [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset_after).encode()),
        ]
        if not self.allowed:
            headers.append((b"retry-after", str(self.retry_after).encode()))
        return headers


def decision(rate: RateLimit, allowed, remaining, retry_ms, reset_ms) -> Decision:
    return Decision(
        allowed=bool(allowed),
        limit=rate.limit,
        remaining=int(remaining),
        retry_after=max(1, math.ceil(int(retry_ms) / 1000)) if not allowed else 0,
        reset_after=math.ceil(int(reset_ms) / 1000),
    )


class RateLimiter:
    PREFIX = "gw:rl:"

    def __init__(self, redis: RedisPipe) -> None:
        self.redis = redis
        self.script = Script(redis, GCRA)
        self.cached_token_script = Script(redis, CACHED_TOKEN_AND_GCRA)
        self._local: dict[tuple[str, RateLimit], LocalRate] = {}

    def local_hit(self, bucket: str, client: str, rate: RateLimit) -> Decision:
        """Count one request in this process (Redis is unreachable)."""
        limiter = self._local.get((bucket, rate))
        if limiter is None:
            limiter = self._local[(bucket, rate)] = LocalRate(rate)
        return Decision.local(rate, limiter.spend(client))

    def bucket_prefix(self, bucket: str) -> str:
        return f"{self.PREFIX}{bucket}:"

    async def hit(self, bucket: str, client: str, rate: RateLimit) -> Decision:
        """Count one request; with Redis unreachable, in this process's memory (and the
        metric says so) rather than the whole platform going down."""
        emission = rate.period * 1000 / rate.limit
        try:
            result = await self.script(
                keys=[self.bucket_prefix(bucket) + client], args=[emission, rate.limit]
            )
        except RedisError as exc:
            redis_unavailable("rate_limit", exc)
            return self.local_hit(bucket, client, rate)
        return decision(rate, *result)

    async def cached_token_hit(
        self, token_key: str, bucket: str, mode: str, ip_client: str, rate: RateLimit
    ) -> tuple[bytes, Decision] | None:
        """(cached token answer, decision), or None on a cache miss (nothing counted)."""
        emission = rate.period * 1000 / rate.limit
        result = await self.cached_token_script(
            keys=[token_key],
            args=[emission, rate.limit, self.bucket_prefix(bucket), mode, ip_client],
        )
        if not result[0]:
            return None
        return result[1], decision(rate, *result[2:])
