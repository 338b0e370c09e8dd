"""Fixtures: callers as the gateway vouches for them, rooms fed by real property-event
envelopes, signed Stripe webhooks, a real Celery worker, and the invariant every test
must leave true: for every room, available + held + confirmed = total."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from bookings import simulator
from bookings.handlers import on_property_event
from bookings.models import Booking, Room
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from rentezy_common.events.models import OutboxEvent
from rentezy_common.testing import celery as testing_celery
from rentezy_common.testing.celery import purge_queue, wait_for  # noqa: F401 - the tests' names
from rentezy_common.testing.clients import GatewayClient
from rentezy_common.testing.events import property_envelope
from rentezy_common.testing.processes import ServiceProcess

# Callers: `tenant`, `other_tenant`, `landlord`, `admin`, `anonymous` are the platform's
# fixtures (rentezy_common.testing.plugin).


# -- property events -> rooms ------------------------------------------------------------
def property_snapshot(*, owner_id: str, rooms: list[dict], status: str = "published",
                      property_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The parts of a property-events snapshot booking_service reads (the contract's
    other fields are there too, as property_service sends them)."""
    return {
        "id": property_id or str(uuid.uuid4()),
        "owner_id": owner_id,
        "status": status,
        "title": "Sunny rooms near the park",
        "property_type": "shared",
        "currency": "INR",
        "monthly_price": "12000.00",
        "deposit": "24000.00",
        "address": {"city": "Bengaluru", "country": "IN"},
        "location": {"lat": 12.97, "lon": 77.64},
        "rooms": rooms,
    }


def room_entry(total_units: int = 5, *, room_id: str | None = None, price: str = "12000.00",
               deposit: str = "24000.00") -> dict[str, Any]:  # fmt: skip
    return {
        "id": room_id or str(uuid.uuid4()),
        "name": "Double room",
        "total_units": total_units,
        "monthly_price": price,
        "deposit": deposit,
        "currency": "INR",
    }


def apply(snapshot: dict, version: int, event_type: str | None = None) -> None:
    """What the `inventory` consumer does with one event (its transaction included)."""
    with transaction.atomic():
        on_property_event(property_envelope(snapshot, version, event_type))


@pytest.fixture
def make_room(landlord):
    """make_room(total_units=5) -> the Room of a freshly published property."""

    def make(total_units: int = 5, **room_fields) -> Room:
        entry = room_entry(total_units, **room_fields)
        apply(property_snapshot(owner_id=landlord.user_id, rooms=[entry]), version=1)
        return Room.objects.get(pk=entry["id"])

    return make


@pytest.fixture
def room(make_room) -> Room:
    return make_room(5)


def move_in(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def book(client: GatewayClient, room_id, quantity: int = 1, *, days: int = 30, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/bookings/",
        {"room_id": str(room_id), "quantity": quantity, "move_in_date": move_in(days)},
        format="json",
        **headers,
    )


# -- Stripe webhooks ---------------------------------------------------------------------
def post_webhook(event: dict, *, secret: str | None = None, signature: str | None = None):
    payload = json.dumps(event).encode()
    header = signature or simulator.stripe_signature(
        payload, secret or settings.STRIPE_WEBHOOK_SECRET
    )
    return GatewayClient().post(
        "/api/bookings/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def pay(booking_id, outcome: str = "paid", **kwargs):
    booking = Booking.objects.get(pk=booking_id)
    return post_webhook(simulator.checkout_event(booking, outcome, **kwargs))


def expire_now(booking_id) -> None:
    """Move a hold's expiry into the past, as if its ten minutes had passed."""
    Booking.objects.filter(pk=booking_id).update(expires_at=timezone.now() - timedelta(seconds=1))


def booking_events(booking_id) -> list[OutboxEvent]:
    return list(
        OutboxEvent.objects.filter(aggregate_type="booking", aggregate_id=str(booking_id)).order_by(
            "version"
        )
    )


def inventory_events(room_id) -> list[OutboxEvent]:
    return list(
        OutboxEvent.objects.filter(aggregate_type="room", aggregate_id=str(room_id)).order_by(
            "version"
        )
    )


# -- the invariant -----------------------------------------------------------------------
def unit_ledger() -> list[tuple]:
    """Rooms where available + held + confirmed != total (should be none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT r.id, r.total_units, r.available_units,
                   coalesce(sum(b.quantity) FILTER (WHERE b.status = 'PENDING'), 0),
                   coalesce(sum(b.quantity) FILTER (WHERE b.status = 'CONFIRMED'), 0)
            FROM {Room._meta.db_table} r
            LEFT JOIN {Booking._meta.db_table} b ON b.room_id = r.id
            GROUP BY r.id
            """
        )
        return [row for row in cursor.fetchall() if row[2] + row[3] + row[4] != row[1]]


@pytest.fixture(autouse=True)
def units_add_up(request):
    yield
    if "django_db" in request.keywords or "transactional_db" in request.fixturenames:
        try:
            broken = unit_ledger()
        except Exception:  # the test had no database access
            return
        assert broken == [], f"rooms whose units do not add up: {broken}"


# -- real processes ----------------------------------------------------------------------
def celery_worker(env: dict[str, str] | None = None, concurrency: int = 2) -> ServiceProcess:
    """The Procfile's worker, on this test database and the test Redis database."""
    return testing_celery.celery_worker(
        "booking_service", "booking", env=env, concurrency=concurrency
    )


@pytest.fixture
def empty_queue():
    """Empty the Celery queue after the test (tasks it queued that nobody will run)."""
    yield
    purge_queue()
