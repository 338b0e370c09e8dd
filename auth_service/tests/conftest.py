"""Fixtures: users created through the real services, clients signed like the gateway."""

from __future__ import annotations

import itertools

import pytest
from accounts.models import User
from django.core.cache import cache

from rentezy_common.testing.clients import GatewayClient

PASSWORD = "correct-Horse-battery-9"
_counter = itertools.count()


@pytest.fixture(autouse=True)
def _fresh_redis():
    # Lockout counters live in this service's own test Redis database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon():
    """An anonymous caller, forwarded and signed by the gateway (register/login/...)."""
    return GatewayClient()


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}{next(_counter)}@example.com"


@pytest.fixture
def register(anon):
    """POST /api/auth/register; returns the response."""

    def _register(**fields):
        body = {
            "email": unique_email(),
            "password": PASSWORD,
            "full_name": "Test Person",
            "role": "tenant",
            **fields,
        }
        return anon.post("/api/auth/register", body, format="json")

    return _register


@pytest.fixture
def login(anon):
    """POST /api/auth/login; returns the response."""

    def _login(email: str, password: str = PASSWORD):
        return anon.post("/api/auth/login", {"email": email, "password": password}, format="json")

    return _login


@pytest.fixture
def user(register) -> User:
    response = register(full_name="Tina Tenant", phone="+1 555 0100")
    assert response.status_code == 201, response.json()
    return User.objects.get(pk=response.json()["user"]["id"])


@pytest.fixture
def landlord(register) -> User:
    response = register(role="landlord", full_name="Larry Landlord")
    assert response.status_code == 201, response.json()
    return User.objects.get(pk=response.json()["user"]["id"])


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser(
        email=unique_email("admin"), password=PASSWORD, full_name="Ada Admin"
    )


def client_for(user: User, access: str | None = None) -> GatewayClient:
    """What the gateway forwards for `user`: signed identity, and the caller's
    Authorization header unchanged when `access` is given."""
    client = GatewayClient(user_id=str(user.pk), role=user.role)
    if access:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def introspect(anon):
    def _introspect(token):
        response = anon.post("/internal/introspect", {"token": token}, format="json")
        assert response.status_code == 200, response.json()
        return response.json()

    return _introspect
