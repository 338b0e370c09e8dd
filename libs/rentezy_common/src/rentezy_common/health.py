"""`/healthz` (the process is alive) and `/readyz` (it can serve: its dependencies answer).

Readiness checks are named in settings.READINESS_CHECKS; each returns details or raises.
Only those in settings.READINESS_REQUIRED (a service's own database, by default) make
`/readyz` fail: 503 in the platform's error shape with the failing checks and their
reasons in `details`. The others are reported: 200 with `"status": "degraded"` and the
failing check in `checks`.

Why: a failing readiness probe takes the pod out of its Service. A dependency that every
replica shares (Redis, Kafka) going down would fail every replica's probe at once and
turn a degraded platform (reads, logins, writes through the outbox) into a total
outage; those outages are each service's to ride out, request by request. Each check
has a short timeout so a probe never hangs on a dead dependency.
`/metrics` exposes the outbox lag in Prometheus text format.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse

from .errors import error_response

CHECK_TIMEOUT_SECONDS = 2.0


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


_redis_client = None


def check_redis() -> dict[str, Any]:
    global _redis_client
    import redis

    if _redis_client is None:
        _redis_client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=CHECK_TIMEOUT_SECONDS,
            socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        )
    _redis_client.ping()
    return {"ok": True}


_kafka_admin = None
_kafka_lock = threading.Lock()


def check_kafka() -> dict[str, Any]:
    global _kafka_admin
    from confluent_kafka.admin import AdminClient

    from .events.kafka import kafka_config

    with _kafka_lock:  # one admin client per process: creating one costs threads
        if _kafka_admin is None:
            _kafka_admin = AdminClient(kafka_config())
        metadata = _kafka_admin.list_topics(timeout=CHECK_TIMEOUT_SECONDS)
    return {"ok": True, "brokers": len(metadata.brokers)}


def check_elasticsearch() -> dict[str, Any]:
    url = settings.ELASTICSEARCH_URL.rstrip("/") + "/_cluster/health"
    with urllib.request.urlopen(url, timeout=CHECK_TIMEOUT_SECONDS) as response:  # noqa: S310
        import json

        status = json.load(response)["status"]
    if status == "red":
        raise RuntimeError("cluster status is red")
    return {"ok": True, "status": status}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "redis": check_redis,
    "kafka": check_kafka,
    "elasticsearch": check_elasticsearch,
}


def register_check(name: str, check: Callable[[], dict[str, Any]]) -> None:
    """Add a service's own readiness check (e.g. from its AppConfig.ready()); list its
    name in settings.READINESS_CHECKS to run it on `/readyz`."""
    CHECKS[name] = check


def run_checks(names) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        started = time.perf_counter()
        try:
            result = CHECKS[name]()
        except Exception as exc:
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return results


def healthz(request):
    return JsonResponse({"status": "ok", "service": settings.SERVICE_NAME})


def readyz(request):
    checks = run_checks(settings.READINESS_CHECKS)
    required = set(getattr(settings, "READINESS_REQUIRED", settings.READINESS_CHECKS))
    failing = sorted(name for name, result in checks.items() if not result["ok"])
    blocking = [name for name in failing if name in required]
    if blocking:
        reasons = "; ".join(f"{name}: {checks[name]['error']}" for name in blocking)
        return error_response(503, "not_ready", f"Not ready: {reasons}", {"checks": checks})
    return JsonResponse(
        {
            "status": "degraded" if failing else "ready",
            "service": settings.SERVICE_NAME,
            "checks": checks,
        }
    )


def metrics(request):
    from .events.outbox import outbox_lag

    lines = []
    try:
        lag = outbox_lag()
    except Exception:
        lag = None
    if lag is not None:
        lines += [
            "# HELP rentezy_outbox_pending Outbox events not yet published to Kafka.",
            "# TYPE rentezy_outbox_pending gauge",
            f"rentezy_outbox_pending {lag['pending']}",
            "# HELP rentezy_outbox_oldest_pending_seconds Age of the oldest unpublished event.",
            "# TYPE rentezy_outbox_oldest_pending_seconds gauge",
            f"rentezy_outbox_oldest_pending_seconds {lag['oldest_pending_seconds']}",
        ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")
