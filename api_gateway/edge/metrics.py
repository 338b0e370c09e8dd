"""Prometheus metrics of the gateway (served at /metrics).

With several worker processes, set PROMETHEUS_MULTIPROC_DIR (the Procfile does) so the
numbers of every worker are summed at scrape time.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

REQUESTS = Counter(
    "gateway_requests_total",
    "Requests handled, by route, upstream, method and status.",
    ["route", "upstream", "method", "status"],
)
LATENCY = Histogram(
    "gateway_request_duration_seconds",
    "Time from request to the end of the response, by route and upstream.",
    ["route", "upstream"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TOKEN_CACHE = Counter(
    "gateway_token_cache_total", "Token validations by where the answer came from.", ["result"]
)
UPSTREAM_FAILURES = Counter(
    "gateway_upstream_failures_total", "Failures to reach an upstream.", ["upstream", "kind"]
)
RATE_LIMITED = Counter("gateway_rate_limited_total", "Requests refused with 429.", ["bucket"])
REDIS_ERRORS = Counter(
    "gateway_redis_errors_total",
    "Redis calls that failed; the gateway went on without (uncounted, uncached).",
    ["use"],
)
WEBSOCKETS = Counter("gateway_websockets_total", "WebSocket sessions by outcome.", ["outcome"])

_children: dict[tuple, tuple] = {}


def observe_request(route: str, upstream: str, method: str, status: int, seconds: float) -> None:
    """Count one request and its latency. The labelled children are looked up once per
    label set (prometheus_client's `labels()` takes a lock and builds a key every call)."""
    key = (route, upstream, method, status)
    children = _children.get(key)
    if children is None:
        children = _children[key] = (
            REQUESTS.labels(route, upstream, method, status),
            LATENCY.labels(route, upstream),
        )
    children[0].inc()
    children[1].observe(seconds)


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
