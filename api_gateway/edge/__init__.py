"""The edge: an ASGI reverse proxy in front of every service (HTTP and WebSocket).

Request path, in order: route lookup (config/routes.toml) → CORS preflight → body size
limit → caller identity (bearer token validated through auth_service, cached in Redis) →
rate limit (Redis, shared by every gateway process) → circuit breaker → forward with the
caller's signed identity over pooled connections, streaming both bodies.
See docs/services/gateway.md.
"""
