"""One error shape for every failure, and 4xx (never 500) for bad input."""

import pytest
from django.test import Client

from rentezy_common.testing.clients import GatewayClient
from tests.testapp.models import Item

pytestmark = pytest.mark.django_db


def error(response):
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_validation_error_lists_fields():
    response = GatewayClient().post("/api/items", {"name": "x" * 50}, format="json")
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "invalid"
    assert set(err["details"]) == {"name", "quantity"}


def test_malformed_json_is_400():
    response = GatewayClient().post("/api/items", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"


def test_wrong_content_type_is_415():
    response = GatewayClient().post("/api/items", "name=x", content_type="text/plain")
    assert response.status_code == 415
    assert error(response)["code"] == "unsupported_media_type"


def test_out_of_range_integer_is_400_and_writes_nothing():
    response = GatewayClient().post("/api/items", {"name": "x", "quantity": 2**40}, format="json")
    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert Item.objects.count() == 0


def test_nul_character_is_400():
    response = GatewayClient().post("/api/items", {"name": "a\x00b", "quantity": 1}, format="json")
    assert response.status_code == 400


def test_domain_error_keeps_code_and_details():
    response = GatewayClient().post("/api/conflict", {}, format="json")
    assert response.status_code == 409
    assert error(response) == {
        "code": "sold_out",
        "message": "No rooms left.",
        "details": {"room_id": 7},
    }


def test_method_not_allowed_is_405():
    response = GatewayClient().delete("/api/items")
    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed"


def test_unknown_url_is_json_404():
    response = GatewayClient().get("/api/nothing-here")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_bad_host_header_is_json_400():
    response = Client().get("/healthz", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"


@pytest.mark.parametrize("path", ["/api/crash", "/plain/crash"])
def test_a_bug_is_a_json_500_without_internals(path):
    client = GatewayClient()
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 500
    err = error(response)
    assert err["code"] == "internal_error"
    assert "ZeroDivision" not in response.content.decode()
