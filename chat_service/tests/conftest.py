"""Fixtures: callers as the gateway vouches for them, properties and bookings fed by the
handlers of real event envelopes, and helpers for the conversations tests talk in."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from chat import handlers, services
from django.db import transaction

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.testing.clients import GatewayClient


def new_user_id() -> str:
    return str(uuid.uuid4().int % 10**9)


@pytest.fixture
def tenant() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="tenant")


@pytest.fixture
def other_tenant() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="tenant")


@pytest.fixture
def landlord() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="landlord")


@pytest.fixture
def admin() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="admin")


def envelope(event_type: str, aggregate_type: str, payload: dict, *, version: int = 1):
    return EventEnvelope(
        id=uuid.uuid4(),
        type=event_type,
        source=aggregate_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(payload.get("id") or payload.get("user_id")),
        version=version,
        occurred_at=datetime.now(UTC),
        payload=json.loads(json.dumps(payload)),
    )


def publish_property(owner_id: str, *, status: str = "published", version: int = 1,
                     property_id: str | None = None) -> str:  # fmt: skip
    """A property as `property-events` announces it, through the consumer's handler."""
    snapshot = {
        "id": property_id or str(uuid.uuid4()),
        "owner_id": owner_id,
        "status": status,
        "title": "Sunny rooms near the park",
        "rooms": [],
    }
    with transaction.atomic():
        handlers.on_directory_event(
            envelope(f"property.{'published' if status == 'published' else 'updated'}",
                     "property", snapshot, version=version)
        )  # fmt: skip
    return snapshot["id"]


def book(tenant_id: str, landlord_id: str, property_id: str, *, status: str = "CONFIRMED") -> str:
    """A booking as `booking-events` announces it."""
    booking = {
        "id": str(uuid.uuid4()),
        "tenant_id": tenant_id,
        "owner_id": landlord_id,
        "property_id": property_id,
        "status": status,
    }
    with transaction.atomic():
        handlers.on_directory_event(envelope("booking.confirmed", "booking", booking))
    return booking["id"]


@pytest.fixture
def listing(landlord) -> str:
    return publish_property(landlord.user_id)


@pytest.fixture
def conversation(tenant, landlord, listing) -> str:
    """A conversation the tenant started about the landlord's listing: its id."""
    response = tenant.post("/api/chat/conversations/", {"property_id": listing}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def send(client, conversation_id: str, body: str = "hello", **extra):
    return client.post(
        f"/api/chat/conversations/{conversation_id}/messages/",
        {"client_id": extra.pop("client_id", str(uuid.uuid4())), "body": body, **extra},
        format="json",
    )


class Actor:
    """A caller for calling services directly."""

    def __init__(self, client: GatewayClient) -> None:
        self.id, self.role, self.session_id = client.user_id, client.role, None


def send_directly(client, conversation_id: str, body: str = "hi"):
    return services.message_send(
        actor=Actor(client), conversation_id=conversation_id, client_id=str(uuid.uuid4()), body=body
    )[0]
