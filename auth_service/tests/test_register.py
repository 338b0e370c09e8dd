import pytest
from accounts.models import User

from rentezy_common.events.models import OutboxEvent

from .conftest import PASSWORD, unique_email

pytestmark = pytest.mark.django_db


def test_register_creates_a_user_and_normalises_the_email(register):
    response = register(
        email="  Mixed.Case@Example.COM ", full_name="Tina", phone="+44 20 7946 0000"
    )

    assert response.status_code == 201, response.json()
    body = response.json()["user"]
    assert body["email"] == "mixed.case@example.com"
    assert body["full_name"] == "Tina"
    assert body["phone"] == "+44 20 7946 0000"
    assert body["role"] == "tenant"
    assert body["is_active"] is True
    assert isinstance(body["id"], str)
    assert "password" not in body
    user = User.objects.get(pk=body["id"])
    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD


def test_register_landlord(register):
    response = register(role="landlord")
    assert response.status_code == 201
    assert response.json()["user"]["role"] == "landlord"


def test_duplicate_email_in_another_case_is_a_conflict(register):
    assert register(email="dup@example.com").status_code == 201

    for variant in ("dup@example.com", "DUP@Example.com", " Dup@EXAMPLE.com "):
        response = register(email=variant)
        assert response.status_code == 409, variant
        assert response.json()["error"]["code"] == "email_taken"
        assert "email" in response.json()["error"]["details"]
    assert User.objects.filter(email="dup@example.com").count() == 1


def test_the_database_refuses_a_case_variant_even_without_the_service(register):
    from django.db import IntegrityError, transaction

    assert register(email="raw@example.com").status_code == 201
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypass save() normalisation: the constraints still hold.
        User.objects.bulk_create([User(email="RAW@example.com", full_name="x", password="!")])


def test_admin_role_cannot_be_self_registered(register):
    response = register(role="admin")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "role" in error["details"]
    assert not User.objects.filter(role="admin").exists()


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1!", "too short"),
        ("password123", "too common"),
        ("84736291058", "entirely numeric"),
    ],
)
def test_weak_password_is_refused_with_details(register, password, fragment):
    response = register(password=password)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    messages = " ".join(error["details"]["password"])
    assert fragment in messages


def test_password_similar_to_the_email_is_refused(register):
    response = register(email="marguerite.dupont@example.com", password="marguerite.dupont")
    assert response.status_code == 400
    assert "similar" in " ".join(response.json()["error"]["details"]["password"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("full_name", ""), ("phone", "call me maybe"), ("role", "")],
)
def test_bad_fields_are_400(register, field, value):
    response = register(**{field: value})
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_missing_fields_are_400(anon):
    response = anon.post("/api/auth/register", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"email", "password", "full_name", "role"}


def test_malformed_json_is_400(anon):
    response = anon.post("/api/auth/register", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_registration_publishes_user_registered_without_secrets(register):
    response = register(email=unique_email(), full_name="Evan Event", phone="555-0199")
    user_id = response.json()["user"]["id"]

    event = OutboxEvent.objects.get(
        aggregate_type="user", aggregate_id=user_id, event_type="user.registered"
    )
    assert event.topic == "user-events"
    assert event.event_type == "user.registered"
    assert event.version == 1
    assert event.payload["id"] == user_id
    assert event.payload["full_name"] == "Evan Event"
    assert event.payload["phone"] == "555-0199"
    assert event.payload["role"] == "tenant"
    assert event.payload["is_active"] is True
    assert {"created_at", "updated_at", "email"} <= set(event.payload)
    assert "password" not in event.payload
    assert PASSWORD not in str(event.payload)


def test_refused_registration_publishes_nothing(register):
    register(role="admin")
    register(password="123")
    assert not OutboxEvent.objects.exists()


def test_register_needs_the_gateway_signature():
    from django.test import Client

    response = Client().post(
        "/api/auth/register",
        {"email": unique_email(), "password": PASSWORD, "full_name": "x", "role": "tenant"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unsigned_request"


def test_the_event_payload_is_the_api_representation_without_last_login(register):
    """One builder (accounts.representation) for the API's user and the event payload."""
    body = register(full_name="Rita Rep").json()["user"]
    event = OutboxEvent.objects.get(aggregate_id=body["id"], event_type="user.registered")
    assert set(body) - set(event.payload) == {"last_login"}
    for key in ("id", "email", "full_name", "phone", "role", "is_active"):
        assert event.payload[key] == body[key]
