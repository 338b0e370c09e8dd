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
    "test_openapi_document_is_valid_and_internal",
    "test_openapi_document_matches_the_urlconf",
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


# --- the OpenAPI document (docs/architecture/api.md) -------------------------------------


def _has_api() -> bool:
    return hasattr(settings, "SPECTACULAR_SETTINGS")


def _document() -> dict:
    from rentezy_common.openapi import service_schema

    return service_schema()


@pytest.mark.django_db
def test_openapi_document_is_valid_and_internal():
    """Valid OpenAPI 3.1, served signed at /internal/openapi.json and refused unsigned; a
    service without an API (platform_settings(openapi=False)) serves none."""
    if not _has_api():
        assert GatewayClient().get("/internal/openapi.json").status_code == 404
        return
    from drf_spectacular.validation import validate_schema

    document = _document()
    assert document["openapi"] == "3.1.0"
    validate_schema(document)
    assert Client().get("/internal/openapi.json").status_code == 401
    served = GatewayClient().get("/internal/openapi.json")
    assert served.status_code == 200
    assert served.json()["paths"].keys() == document["paths"].keys()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            errors = [s for s in responses if s.startswith(("4", "5"))]
            assert {"400", "401", "429", "503"} <= set(errors), (method, path)
            for status in errors:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
            ok = responses.get("200", {}).get("content", {}).get("application/json", {})
            if ok.get("schema", {}).get("$ref", "").startswith("#/components/schemas/Paginated"):
                # DRF's page-number pagination: a page past the end is a 404 (a finding
                # of tests/contract's fuzzing)
                assert "404" in responses, (method, path)


def test_openapi_document_matches_the_urlconf():
    """The drift test: every URL pattern under /api/ is documented with every method its
    view answers, and every documented path and method is a URL pattern and a method of
    its view."""
    from .openapi import document_paths, url_paths

    urls = url_paths()
    api_urls = {path: methods for path, methods in urls.items() if path.startswith("/api/")}
    if not _has_api():
        assert api_urls == {}, "a service with /api/ routes must have an OpenAPI document"
        return
    documented = document_paths(_document())
    assert sorted(set(api_urls) - set(documented)) == [], "URL patterns missing from the document"
    assert sorted(set(documented) - set(urls)) == [], "documented paths without a URL pattern"
    for path, methods in documented.items():
        if urls[path] is not None:
            assert methods == urls[path], f"{path}: documented {methods}, view has {urls[path]}"
