"""Users and listings through the gateway, for the tests that drive the whole platform
(tests/e2e, tests/faults, tests/contract): each test user comes from an address of its own,
as real users do, because registration and login are limited per IP.

    headers, user = register_and_login(api, "landlord", password=PASSWORD)
    property_id, room_id = publish_listing(api, headers, listing_payload("loft"), units=2)
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta


def client_ip() -> str:
    """An address of the benchmarking range (RFC 2544) for one test client: the test
    gateway trusts one proxy hop, so `X-Forwarded-For` is the client's address."""
    n = uuid.uuid4().int
    return f"198.{18 + n % 2}.{n >> 8 & 255}.{n >> 16 & 255}"


def register_and_login(api, role: str, *, password: str) -> tuple[dict[str, str], dict]:
    """Register a user of `role` and log in: (bearer headers, the user as login returns it)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    origin = {"X-Forwarded-For": client_ip()}
    registered = api.post(
        "/api/auth/register",
        json={"email": email, "password": password, "full_name": role.title(), "role": role},
        headers=origin,
    )
    assert registered.status_code == 201, registered.text
    session = api.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=origin
    )
    assert session.status_code == 200, session.text
    body = session.json()
    return {"Authorization": f"Bearer {body['access']}"}, body["user"]


def listing_payload(word: str, **overrides) -> dict:
    """A complete, publishable listing whose title carries `word` (for finding it)."""
    return {
        "title": f"Quiet {word} flat by the park",
        "description": "Bright rooms in a quiet flat, five minutes from the metro.",
        "property_type": "apartment",
        "address": {
            "line1": "4 Residency Road", "line2": "", "locality": "Richmond Town",
            "city": "Bengaluru", "state": "Karnataka", "postal_code": "560025",
            "country": "IN",
        },
        "location": {"lat": 12.9656, "lon": 77.6010},
        "currency": "INR",
        "monthly_price": "12000.00",
        "deposit": "24000.00",
        "bedrooms": 2,
        "bathrooms": 1,
        "area_sqft": 900,
        "furnished": True,
        "amenities": ["wifi"],
        "house_rules": "",
        "available_from": (date.today() + timedelta(days=7)).isoformat(),
        **overrides,
    }  # fmt: skip


def publish_listing(
    api, landlord: dict[str, str], payload: dict, *, units: int, room_price: str = "12000.00"
) -> tuple[str, str]:
    """Create, give one room of `units` units, publish: (property id, room id)."""
    created = api.post("/api/properties/", json=payload, headers=landlord)
    assert created.status_code == 201, created.text
    property_id = created.json()["id"]
    room = api.post(
        f"/api/properties/{property_id}/rooms/",
        json={"name": "Twin room", "total_units": units, "monthly_price": room_price},
        headers=landlord,
    )
    assert room.status_code == 201, room.text
    published = api.post(f"/api/properties/{property_id}/publish/", headers=landlord)
    assert published.status_code == 200, published.text
    return property_id, room.json()["id"]
