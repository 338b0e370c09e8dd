"""The OpenAPI document against what the API does (findings of tests/contract's fuzzing)."""

import pytest

from rentezy_common.openapi import service_schema


@pytest.mark.django_db
def test_a_page_past_the_end_is_a_documented_404(gateway_client):
    """schemathesis: `GET /api/properties/?page=2924` answered 404 "Invalid page.", which
    the document did not list."""
    response = gateway_client.get("/api/properties/?page=2924")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    listed = service_schema()["paths"]["/api/properties/"]["get"]["responses"]
    assert listed["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
