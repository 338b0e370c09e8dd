"""Health and readiness against the real dependencies."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_readyz_reports_each_dependency():
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert set(checks) == {"database", "redis", "kafka"}
    assert checks["kafka"]["brokers"] == 1


def _without_redis(settings):
    from rentezy_common import health

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    health._redis_client = None
    try:
        return Client().get("/readyz")
    finally:
        health._redis_client = None


def test_a_shared_dependency_down_is_reported_but_the_service_stays_ready(settings):
    """Redis down fails no probe: every replica would drop out of service at once."""
    response = _without_redis(settings)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_503_with_the_reason_when_a_required_dependency_is_down(settings):
    settings.READINESS_REQUIRED = ["database", "redis"]
    response = _without_redis(settings)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert "redis" in error["message"]
    assert error["details"]["checks"]["database"]["ok"] is True
    assert error["details"]["checks"]["redis"]["ok"] is False


def test_metrics_expose_outbox_lag():
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert "rentezy_outbox_pending 0" in response.content.decode()
