"""The admin API: /api/auth/users..., role admin only."""

import pytest
from accounts.models import User

from rentezy_common.events.models import OutboxEvent

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(admin_user):
    return client_for(admin_user)


@pytest.fixture
def people(register):
    for name, role in (
        ("Alice Renter", "tenant"),
        ("Bob Owner", "landlord"),
        ("Carol Renter", "tenant"),
    ):
        email = f"{name.split()[0].lower()}@example.com"
        assert register(email=email, full_name=name, role=role).status_code == 201
    return {u.full_name: u for u in User.objects.all()}


def test_list_users_paginated(admin, people):
    response = admin.get("/api/auth/users", {"page_size": 3})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4  # the admin is a user too
    assert len(body["results"]) == 3
    assert body["next"]
    rest = admin.get("/api/auth/users", {"page_size": 3, "page": 2}).json()
    assert rest["next"] is None
    names = [u["full_name"] for u in body["results"] + rest["results"]]
    assert sorted(names) == ["Ada Admin", "Alice Renter", "Bob Owner", "Carol Renter"]


def test_search_and_filters(admin, people, admin_user):
    def names(**params):
        response = admin.get("/api/auth/users", params)
        assert response.status_code == 200, response.json()
        return sorted(u["full_name"] for u in response.json()["results"])

    assert names(search="renter") == ["Alice Renter", "Carol Renter"]
    assert names(search="BOB@") == ["Bob Owner"]
    assert names(role="landlord") == ["Bob Owner"]
    assert names(role="admin") == ["Ada Admin"]
    User.objects.filter(full_name="Carol Renter").update(is_active=False)
    assert names(is_active="false") == ["Carol Renter"]
    assert names(is_active="true", role="tenant") == ["Alice Renter"]
    assert len(names()) == 4


@pytest.mark.parametrize("params", [{"role": "king"}, {"is_active": "maybe"}, {"page": 99}])
def test_bad_list_parameters_are_4xx(admin, people, params):
    response = admin.get("/api/auth/users", params)
    assert response.status_code in (400, 404)
    assert "error" in response.json()


def test_get_one_user(admin, people):
    bob = people["Bob Owner"]
    response = admin.get(f"/api/auth/users/{bob.pk}")
    assert response.status_code == 200
    assert response.json()["email"] == "bob@example.com"
    assert admin.get("/api/auth/users/999999").status_code == 404
    assert admin.get("/api/auth/users/99999999999999999999999").status_code == 404


@pytest.mark.parametrize("role", ["tenant", "landlord"])
def test_non_admins_are_forbidden(user, role):
    client = client_for(user)
    client.role = role
    for method, path in (
        ("get", "/api/auth/users"),
        ("get", f"/api/auth/users/{user.pk}"),
        ("post", f"/api/auth/users/{user.pk}/deactivate"),
        ("post", f"/api/auth/users/{user.pk}/activate"),
    ):
        response = getattr(client, method)(path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "permission_denied"
    user.refresh_from_db()
    assert user.is_active


def test_anonymous_is_401(anon):
    assert anon.get("/api/auth/users").status_code == 401


def test_deactivate_revokes_sessions_and_is_idempotent(admin, user, login, introspect):
    tokens = login(user.email).json()

    response = admin.post(f"/api/auth/users/{user.pk}/deactivate")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert introspect(tokens["access"]) == {"active": False}
    refresh = client_for(user).post(
        "/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refresh.status_code == 401
    assert login(user.email).status_code == 401

    again = admin.post(f"/api/auth/users/{user.pk}/deactivate")
    assert again.status_code == 200
    types = list(
        OutboxEvent.objects.filter(aggregate_id=str(user.pk))
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    # once each, despite two calls: the session that ended, then the user (after the
    # registration and its email confirmation request)
    assert types == [
        "user.registered",
        "user.email_verification_requested",
        "session.revoked",
        "user.deactivated",
    ]


def test_activate_lets_the_user_back_in(admin, user, login):
    admin.post(f"/api/auth/users/{user.pk}/deactivate")

    response = admin.post(f"/api/auth/users/{user.pk}/activate")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert admin.post(f"/api/auth/users/{user.pk}/activate").status_code == 200
    assert login(user.email).status_code == 200
    event = OutboxEvent.objects.filter(aggregate_id=str(user.pk)).latest("seq")
    assert (event.event_type, event.version, event.payload["is_active"]) == (
        "user.activated",
        4,  # registered, email confirmation requested, deactivated, activated
        True,
    )


def test_admin_cannot_deactivate_themselves(admin, admin_user):
    response = admin.post(f"/api/auth/users/{admin_user.pk}/deactivate")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "cannot_deactivate_self"
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_deactivating_an_unknown_user_is_404(admin):
    assert admin.post("/api/auth/users/424242/deactivate").status_code == 404
