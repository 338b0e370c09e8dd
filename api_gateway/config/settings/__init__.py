"""gateway service settings: the platform's, from the environment (docs/configuration.md).

The gateway signs what it forwards, so it does not run the signature-checking
middleware itself; it stores nothing (Redis holds rate limits and the token cache).
"""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.env import REQUIRED, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

globals().update(
    platform_settings(
        service="gateway",
        base_dir=BASE_DIR,
        apps=["edge"],
        readiness=("redis",),
        # Without Redis the gateway works on (limits per process, tokens asked of
        # auth_service): reported, never a reason to take the gateway out of service.
        required=(),
        # Not a DRF API: it serves the services' merged document (edge/apidocs.py).
        openapi=False,
    )
)
MIDDLEWARE = [m for m in MIDDLEWARE if m != "rentezy_common.gateway.GatewayIdentityMiddleware"]  # noqa: F821

# The routing table (prefix → upstream, access, limits): docs/services/gateway.md.
GATEWAY_ROUTES_FILE = env_str("GATEWAY_ROUTES_FILE", str(BASE_DIR / "config" / "routes.toml"))
# Overrides the routing table's default per-client limit, e.g. "100/minute".
GATEWAY_DEFAULT_RATE_LIMIT = env_str("GATEWAY_DEFAULT_RATE_LIMIT", "")
# How long an active token answer is cached: the bound on revocation at the gateway.
GATEWAY_TOKEN_CACHE_SECONDS = env_int("GATEWAY_TOKEN_CACHE_SECONDS", 10)
# The web app's origins, allowed to call the API from a browser. Required in production:
# a deployment states its own, it never inherits the dev server's.
GATEWAY_CORS_ORIGINS = env_list(
    "GATEWAY_CORS_ORIGINS",
    REQUIRED
    if RENTEZY_ENV == "production"  # noqa: F821 - set by platform_settings
    else ["http://localhost:5173", "http://127.0.0.1:5173"],
)
# Number of proxies in front of the gateway whose X-Forwarded-For is trusted (0: none).
GATEWAY_TRUSTED_PROXY_HOPS = env_int("GATEWAY_TRUSTED_PROXY_HOPS", 0)
GATEWAY_BREAKER_FAILURES = env_int("GATEWAY_BREAKER_FAILURES", 5)
GATEWAY_BREAKER_RESET_SECONDS = env_int("GATEWAY_BREAKER_RESET_MS", 5000) / 1000
GATEWAY_UPSTREAM_POOL_SIZE = env_int("GATEWAY_UPSTREAM_POOL_SIZE", 200)
GATEWAY_REDIS_TIMEOUT = env_int("GATEWAY_REDIS_TIMEOUT_MS", 1000) / 1000
GATEWAY_WS_AUTH_TIMEOUT = env_int("GATEWAY_WS_AUTH_TIMEOUT", 10)
GATEWAY_WS_MAX_MESSAGE = env_int("GATEWAY_WS_MAX_MESSAGE", 1024 * 1024)
# Seconds the merged OpenAPI document (GET /api/openapi.json, edge/apidocs.py) is kept
# before the services' documents are fetched again (5 while one of them is missing).
GATEWAY_OPENAPI_CACHE_SECONDS = env_int("GATEWAY_OPENAPI_CACHE_SECONDS", 60)

# --- Protecting the services from slow and odd clients (edge/protocol.py, edge/body.py) ---
# A request's line and headers must arrive within this many seconds (nginx:
# client_header_timeout); 408 otherwise.
GATEWAY_HEADER_TIMEOUT = env_int("GATEWAY_HEADER_TIMEOUT", 10)
# Request target and all headers together, in bytes: 414 / 431 beyond.
GATEWAY_MAX_URL_BYTES = env_int("GATEWAY_MAX_URL_BYTES", 8192)
GATEWAY_MAX_HEADER_BYTES = env_int("GATEWAY_MAX_HEADER_BYTES", 32768)
# Open HTTP connections per client IP in each gateway process (0: no limit; ignored
# behind trusted proxies, whose address every client shares).
GATEWAY_MAX_CONNECTIONS_PER_IP = env_int("GATEWAY_MAX_CONNECTIONS_PER_IP", 64)
# Bodies are read in full before they are forwarded: a body that stalls this many
# seconds, or that after them averages fewer than GATEWAY_BODY_MIN_RATE bytes a second,
# is 408.
GATEWAY_BODY_TIMEOUT = env_int("GATEWAY_BODY_TIMEOUT", 10)
GATEWAY_BODY_MIN_RATE = env_int("GATEWAY_BODY_MIN_RATE", 1024)
# Invalid bearer tokens a client IP may send (per gateway process) before it gets 429
# without any call to auth_service, and how long a token auth_service refused is
# remembered.
GATEWAY_INVALID_TOKEN_LIMIT = env_str("GATEWAY_INVALID_TOKEN_LIMIT", "30/minute")
GATEWAY_INVALID_TOKEN_CACHE_SECONDS = env_int("GATEWAY_INVALID_TOKEN_CACHE_SECONDS", 10)
# The internal listener that serves /metrics (never the public port).
GATEWAY_METRICS_PORT = env_int("GATEWAY_METRICS_PORT", 8090)

# The built web app served at / (edge/webapp.py); "" turns it off.
GATEWAY_WEBAPP_DIR = env_str("GATEWAY_WEBAPP_DIR", str(BASE_DIR.parent / "frontend" / "dist"))
# Web app sessions (edge/session.py): the refresh-token cookie.
GATEWAY_SESSION_COOKIE_NAME = env_str("GATEWAY_SESSION_COOKIE_NAME", "rentezy_refresh")
GATEWAY_SESSION_COOKIE_SECURE = env_bool(
    "GATEWAY_SESSION_COOKIE_SECURE",
    RENTEZY_ENV not in ("dev", "test"),  # noqa: F821 - from platform_settings
)
# Origins besides the gateway's own whose pages may use the session endpoints.
GATEWAY_SESSION_ORIGINS = env_list("GATEWAY_SESSION_ORIGINS", [])
