"""Fixtures: callers as the gateway would vouch for them, property factories through the
real API, images made with Pillow, and a fresh media directory per test."""

from __future__ import annotations

import io
import os
import uuid
from typing import Any

import pytest
from PIL import Image

from rentezy_common.events.models import OutboxEvent
from rentezy_common.testing.clients import GatewayClient


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Photo files of this test go to its own temporary directory (pytest removes old ones)."""
    root = tmp_path / "media"
    storage = dict(settings.STORAGES["default"])
    storage["OPTIONS"] = {**storage["OPTIONS"], "location": str(root)}
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    return root


def new_user_id() -> str:
    return str(uuid.uuid4().int % 10**9)


@pytest.fixture
def landlord() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="landlord")


@pytest.fixture
def other_landlord() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="landlord")


@pytest.fixture
def tenant() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="tenant")


@pytest.fixture
def admin() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="admin")


@pytest.fixture
def anonymous() -> GatewayClient:
    return GatewayClient()


def property_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "title": "Sunny 2BHK near the park",
        "description": "Bright, quiet, ten minutes from the metro.",
        "property_type": "apartment",
        "address": {
            "line1": "12 MG Road",
            "line2": "Flat 4B",
            "locality": "Indiranagar",
            "city": "Bengaluru",
            "state": "Karnataka",
            "postal_code": "560038",
            "country": "IN",
        },
        "location": {"lat": 12.9719, "lon": 77.6412},
        "currency": "INR",
        "monthly_price": "25000.00",
        "deposit": "50000.00",
        "bedrooms": 2,
        "bathrooms": 2,
        "area_sqft": 1100,
        "furnished": True,
        "amenities": ["wifi", "parking"],
        "house_rules": "No smoking.",
        "available_from": "2026-12-01",
    }
    payload.update(overrides)
    return payload


ROOM = {"name": "Double room", "total_units": 3, "monthly_price": "12000.00"}


def create_property(client: GatewayClient, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/properties/", property_payload(**overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def add_room(client: GatewayClient, property_id: str, **overrides: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/properties/{property_id}/rooms/", {**ROOM, **overrides}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def published_property(client: GatewayClient, **overrides: Any) -> dict[str, Any]:
    prop = create_property(client, **overrides)
    add_room(client, prop["id"])
    response = client.post(f"/api/properties/{prop['id']}/publish/")
    assert response.status_code == 200, response.content
    return response.json()


def events(property_id: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(aggregate_id=str(property_id)).order_by("seq"))


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (40, 30), noise: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    if noise:  # incompressible pixels, to make a large file from a small image
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()
