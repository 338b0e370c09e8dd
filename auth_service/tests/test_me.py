import pytest
from accounts.models import User

from rentezy_common.events.models import OutboxEvent

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_me_returns_the_callers_profile(user):
    response = client_for(user).get("/api/auth/me")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(user.pk)
    assert body["email"] == user.email
    assert body["full_name"] == "Tina Tenant"
    assert body["phone"] == "+1 555 0100"
    assert body["role"] == "tenant"
    assert "password" not in body


def test_me_needs_a_caller(anon):
    response = anon.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_of_an_unknown_user_is_404(db):
    response = client_for(User(pk=987654321, role="tenant")).get("/api/auth/me")
    assert response.status_code == 404


def test_patch_me_updates_name_and_phone_and_announces_it(user):
    response = client_for(user).patch(
        "/api/auth/me", {"full_name": "Tina T. Tenant", "phone": "(555) 010-2000"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["full_name"] == "Tina T. Tenant"
    user.refresh_from_db()
    assert (user.full_name, user.phone) == ("Tina T. Tenant", "(555) 010-2000")
    event = OutboxEvent.objects.filter(aggregate_id=str(user.pk)).latest("seq")
    assert event.event_type == "user.updated"
    assert event.version == 3  # after user.registered and its email confirmation request
    assert event.payload["full_name"] == "Tina T. Tenant"
    assert event.payload["phone"] == "(555) 010-2000"


def test_patch_me_can_clear_the_phone(user):
    response = client_for(user).patch("/api/auth/me", {"phone": ""}, format="json")
    assert response.status_code == 200
    assert response.json()["phone"] == ""


def test_patch_without_a_change_announces_nothing(user):
    before = OutboxEvent.objects.count()
    response = client_for(user).patch("/api/auth/me", {"full_name": user.full_name}, format="json")
    assert response.status_code == 200
    assert OutboxEvent.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        {"email": "new@example.com"},
        {"role": "admin"},
        {"role": "landlord", "full_name": "X"},
        {"is_active": False},
        {"password": "x"},
    ],
)
def test_email_role_and_status_cannot_be_changed(user, body):
    response = client_for(user).patch("/api/auth/me", body, format="json")

    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert set(body) - {"full_name"} <= set(details)
    user.refresh_from_db()
    assert (user.role, user.is_active, user.full_name) == ("tenant", True, "Tina Tenant")


@pytest.mark.parametrize("body", [{}, {"full_name": ""}, {"phone": "not a phone"}])
def test_bad_patches_are_400(user, body):
    assert client_for(user).patch("/api/auth/me", body, format="json").status_code == 400
