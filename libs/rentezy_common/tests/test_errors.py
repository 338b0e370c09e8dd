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


# --- hostile JSON (rentezy_common.jsonbody) ---------------------------------------------


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deeply_nested_json_is_400_never_a_500(depth):
    body = '{"name": ' + "[" * depth + "]" * depth + ', "quantity": 1}'
    response = GatewayClient().post("/api/items", body, content_type="application/json")
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "parse_error" and err["details"] == {"max_depth": 32}


def test_nesting_within_the_limit_is_parsed():
    body = '{"name": "ok", "quantity": 1, "extra": ' + "[" * 30 + "]" * 30 + "}"
    response = GatewayClient().post("/api/items", body, content_type="application/json")
    assert response.status_code == 201, response.content


def test_oversized_json_is_413(settings):
    settings.JSON_MAX_BYTES = 1000
    body = '{"name": "' + "x" * 2000 + '", "quantity": 1}'
    response = GatewayClient().post("/api/items", body, content_type="application/json")
    assert response.status_code == 413
    assert error(response)["code"] == "payload_too_large"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_400(literal):
    body = '{"name": "x", "quantity": ' + literal + "}"
    response = GatewayClient().post("/api/items", body, content_type="application/json")
    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"


def test_huge_integer_is_400():
    body = '{"name": "x", "quantity": ' + "9" * 5000 + "}"  # past Python's int-from-str limit
    response = GatewayClient().post("/api/items", body, content_type="application/json")
    assert response.status_code == 400


# --- every error answer in the platform shape (JsonErrorsMiddleware) ------------------------


def test_a_bare_405_gets_the_platform_shape_and_keeps_allow():
    response = GatewayClient().get("/plain/post-only")
    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"


def test_an_html_error_becomes_json():
    response = GatewayClient().get("/plain/teapot")
    assert response.status_code == 418
    assert response["Content-Type"] == "application/json"
    assert error(response)["code"] == "client_error"


@pytest.mark.parametrize("path", ["/api/nothing-here", "/not-a-route/12", "/api/items/%00"])
def test_unknown_paths_are_json_even_with_debug_on(settings, path):
    settings.DEBUG = True  # Django's technical 404 page lists every URL pattern
    response = GatewayClient().get(path)
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert b"urlpatterns" not in response.content and b"<html" not in response.content


def test_a_bug_with_debug_on_is_still_json_without_internals(settings):
    settings.DEBUG = True
    client = GatewayClient()
    client.raise_request_exception = False
    response = client.get("/plain/crash")
    assert response.status_code == 500
    assert error(response)["code"] == "internal_error"
    assert b"Traceback" not in response.content and b"SECRET_KEY" not in response.content


# --- pagination links point at the public address ------------------------------------------


def test_next_link_uses_the_address_the_client_used():
    Item.objects.bulk_create(Item(name=f"item {i}", quantity=i) for i in range(25))
    response = GatewayClient().get(
        "/api/paged-items",
        {"page": 1},
        HTTP_X_FORWARDED_HOST="rentezy.example",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 200
    assert response.json()["next"] == "https://rentezy.example/api/paged-items?page=2"


def test_next_link_without_forwarded_headers_uses_the_public_base_url(settings):
    settings.PUBLIC_BASE_URL = "https://public.example"
    Item.objects.bulk_create(Item(name=f"item {i}", quantity=i) for i in range(25))
    response = GatewayClient().get("/api/paged-items", {"page": 2})
    body = response.json()
    assert body["previous"] == "https://public.example/api/paged-items"
    assert body["next"] is None


def test_a_domain_error_can_carry_response_headers():
    from rentezy_common.errors import ApiError, exception_handler

    class Locked(ApiError):
        status_code = 429
        code = "too_many_attempts"

        def __init__(self, retry_after: int) -> None:
            super().__init__()
            self.headers = {"Retry-After": str(retry_after)}

    response = exception_handler(Locked(7), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "7"
    assert response.data["error"]["code"] == "too_many_attempts"
