"""The routing table and upstreams: configuration (config/routes.toml), not code.

    [defaults]            access, rate_limit, max_body for routes that do not say
    [upstreams.<name>]    timeouts and retries; the URL comes from UPSTREAM_<NAME>_URL
                          (dev default: the service's port on 127.0.0.1)
    [[routes]]            prefix, upstream, access (public | authenticated | public_read),
                          rate_limit ("10/minute"), rate_limit_key (user | ip),
                          max_body ("1MiB"), websocket (bool); or, instead of an
                          upstream, handler = "apidocs" (answered by the gateway itself:
                          edge/apidocs.py)

The longest matching prefix wins. Paths are forwarded unchanged.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from rentezy_common.env import REQUIRED, env_str
from rentezy_common.platform import SERVICES

ACCESS_MODES = ("public", "authenticated", "public_read")
HANDLERS = ("apidocs",)
# The pseudo-upstream of routes the gateway answers itself (labels in metrics and logs).
GATEWAY_ITSELF = "gateway"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_SIZE = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*$")
_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, None: 1}


@dataclass(frozen=True)
class RateLimit:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        match = _RATE.match(text)
        if not match or int(match.group(1)) < 1:
            raise ImproperlyConfigured(f"rate limit {text!r}: expected e.g. '100/minute'")
        return cls(int(match.group(1)), _PERIODS[match.group(2)])


def parse_size(value: str | int) -> int:
    if isinstance(value, int):
        return value
    match = _SIZE.match(value)
    if not match:
        raise ImproperlyConfigured(f"size {value!r}: expected e.g. '10MiB'")
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Upstream:
    name: str
    url: str  # scheme://host:port, no trailing slash
    connect_timeout: float = 2.0
    read_timeout: float = 30.0
    retries: int = 2  # extra attempts for idempotent requests that never reached it

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http")


@dataclass(frozen=True)
class Route:
    prefix: str
    upstream: Upstream
    access: str
    rate_limit: RateLimit
    rate_limit_key: str  # "user" (falls back to ip when anonymous) or "ip"
    bucket: str  # routes sharing a bucket share a counter
    max_body: int
    websocket: bool = False
    handler: str | None = None  # answered by the gateway itself (HANDLERS)

    def needs_identity(self, method: str) -> bool:
        if self.access == "public":
            return False
        if self.access == "public_read":
            return method not in SAFE_METHODS
        return True


@dataclass
class GatewayConfig:
    routes: list[Route]
    upstreams: dict[str, Upstream] = field(default_factory=dict)

    def match(self, path: str) -> Route | None:
        for route in self.routes:  # sorted longest prefix first
            if path.startswith(route.prefix):
                return route
        return None


def upstream_url(name: str) -> str:
    """UPSTREAM_<NAME>_URL; in dev the registry's port on loopback, in production required."""
    spec = SERVICES.get(name)
    default = f"http://127.0.0.1:{spec.port}" if spec else REQUIRED
    if settings.RENTEZY_ENV == "production":
        default = REQUIRED
    return env_str(f"UPSTREAM_{name.upper()}_URL", default).rstrip("/")


def load(path: str | Path | None = None) -> GatewayConfig:
    path = Path(path or settings.GATEWAY_ROUTES_FILE)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ImproperlyConfigured(f"gateway routes {path}: {exc}") from exc
    defaults = data.get("defaults", {})
    default_limit = settings.GATEWAY_DEFAULT_RATE_LIMIT or defaults.get("rate_limit", "100/minute")

    upstreams = {
        name: Upstream(
            name=name,
            url=upstream_url(name),
            connect_timeout=float(options.get("connect_timeout", 2.0)),
            read_timeout=float(options.get("read_timeout", 30.0)),
            retries=int(options.get("retries", 2)),
        )
        for name, options in data.get("upstreams", {}).items()
    }
    routes = []
    for entry in data.get("routes", []):
        prefix = entry["prefix"]
        handler = entry.get("handler")
        if handler is not None:
            if handler not in HANDLERS or "upstream" in entry:
                raise ImproperlyConfigured(
                    f"route {prefix}: handler must be one of {HANDLERS}, without an upstream"
                )
            upstream = Upstream(name=GATEWAY_ITSELF, url="")
        elif entry.get("upstream") not in upstreams:
            named = entry.get("upstream")
            raise ImproperlyConfigured(f"route {prefix}: unknown upstream {named!r}")
        else:
            upstream = upstreams[entry["upstream"]]
        access = entry.get("access", defaults.get("access", "authenticated"))
        if access not in ACCESS_MODES:
            raise ImproperlyConfigured(f"route {prefix}: access must be one of {ACCESS_MODES}")
        own_limit = "rate_limit" in entry
        key = entry.get("rate_limit_key", "user")
        if key not in ("user", "ip"):
            raise ImproperlyConfigured(f"route {prefix}: rate_limit_key must be user or ip")
        routes.append(
            Route(
                prefix=prefix,
                upstream=upstream,
                access=access,
                rate_limit=RateLimit.parse(entry["rate_limit"] if own_limit else default_limit),
                rate_limit_key=key,
                # A route with its own limit counts on its own; the rest share "default".
                bucket=entry.get("bucket", prefix if own_limit else "default"),
                max_body=parse_size(entry.get("max_body", defaults.get("max_body", "1MiB"))),
                websocket=bool(entry.get("websocket", False)),
                handler=handler,
            )
        )
    routes.sort(key=lambda r: len(r.prefix), reverse=True)
    if "auth" not in upstreams:
        raise ImproperlyConfigured("the routing table needs an 'auth' upstream (introspection)")
    return GatewayConfig(routes=routes, upstreams=upstreams)
