"""The platform contract every service must keep, as tests. A service's
`tests/test_platform_contract.py` imports them:

    from rentezy_common.testing.contract import *  # noqa: F403

so the same checks run against each service's own settings, URLconf and servers.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from .clients import GatewayClient

__all__ = [
    "test_events_tables_are_migrated",
    "test_healthz_is_public_and_alive",
    "test_readyz_checks_real_dependencies",
    "test_unknown_path_is_json_404",
    "test_unsigned_request_is_refused",
]


def test_healthz_is_public_and_alive():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": settings.SERVICE_NAME}


@pytest.mark.django_db
def test_readyz_checks_real_dependencies():
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert sorted(body["checks"]) == sorted(settings.READINESS_CHECKS)
    assert all(check["ok"] for check in body["checks"].values())


def test_unsigned_request_is_refused():
    response = Client().get("/api/anything")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unsigned_request"


@pytest.mark.django_db
def test_unknown_path_is_json_404():
    response = GatewayClient().get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_events_tables_are_migrated():
    from rentezy_common.events.outbox import outbox_lag

    assert outbox_lag() == {"pending": 0, "oldest_pending_seconds": 0.0}
