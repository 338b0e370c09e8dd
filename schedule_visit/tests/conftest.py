"""Fixtures: callers as the gateway vouches for them, properties fed by real
property-event envelopes, viewing hours set through the API, a real Celery worker, and
the invariants every test must leave true: no two active visits of different slots
overlap, and no slot holds more visitors than its capacity."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from visits.handlers import on_property_event
from visits.models import Property, Visit

from rentezy_common.events.models import OutboxEvent
from rentezy_common.testing import celery as testing_celery
from rentezy_common.testing.celery import purge_queue, wait_for  # noqa: F401 - the tests' names
from rentezy_common.testing.clients import GatewayClient, new_user_id  # noqa: F401 - tests import it here
from rentezy_common.testing.events import property_envelope
from rentezy_common.testing.processes import ServiceProcess

# Callers: the `tenant`, `other_tenant`, `landlord` and `anonymous` fixtures of the
# library's pytest plugin (rentezy_common.testing.plugin).


# -- property events -> properties ------------------------------------------------------------
def property_snapshot(*, owner_id: str, status: str = "published", time_zone="Asia/Kolkata",
                      property_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    """A property-events snapshot as property_service sends it (the parts that matter
    here, and a few that do not)."""
    return {
        "id": property_id or str(uuid.uuid4()),
        "owner_id": owner_id,
        "status": status,
        "title": "Sunny flat near the park",
        "property_type": "apartment",
        "address": {
            "line1": "12 MG Road",
            "locality": "Indiranagar",
            "city": "Bengaluru",
            "postal_code": "560038",
            "country": "IN",
        },
        "location": {"lat": 12.97, "lon": 77.64},
        "time_zone": time_zone,
        "currency": "INR",
        "monthly_price": "25000.00",
        "rooms": [],
    }


def apply(snapshot: dict, version: int, event_type: str | None = None) -> None:
    """What the `properties` consumer does with one event (its transaction included)."""
    with transaction.atomic():
        on_property_event(property_envelope(snapshot, version, event_type))


# Every day 08:00-20:00: slots at whole and half hours (30-minute visits, no buffers).
ALL_WEEK = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(1, 8)]


def hours(**overrides) -> dict:
    return {
        "visit_minutes": 30,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "min_notice_minutes": 0,
        "horizon_days": 60,
        "daily_cap": None,
        "auto_confirm": False,
        "weekly": ALL_WEEK,
        "exceptions": [],
        **overrides,
    }


@pytest.fixture
def make_property(landlord):
    """make_property(time_zone=..., **hours) -> a published Property with viewing hours."""

    def make(time_zone: str = "Asia/Kolkata", **overrides) -> Property:
        snapshot = property_snapshot(owner_id=landlord.user_id, time_zone=time_zone)
        apply(snapshot, version=1)
        response = landlord.put(
            f"/api/visits/properties/{snapshot['id']}/availability/",
            hours(**overrides),
            format="json",
        )
        assert response.status_code == 200, response.json()
        return Property.objects.get(pk=snapshot["id"])

    return make


@pytest.fixture
def prop(make_property) -> Property:
    return make_property()


def slot_at(prop: Property, days: int = 2, hour: int = 10, minute: int = 0) -> str:
    """The ISO start (with offset) of the slot `days` from today at `hour` local time."""
    from visits import policies

    zone = policies.zone_of(prop.time_zone)
    day = timezone.now().astimezone(zone).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).isoformat()


def request_visit(client: GatewayClient, prop_or_id, start: str, key: str | None = None):
    property_id = getattr(prop_or_id, "id", prop_or_id)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/visits/requests/",
        {"property_id": str(property_id), "start": start},
        format="json",
        **headers,
    )


def visit_events(visit_id) -> list[OutboxEvent]:
    return list(
        OutboxEvent.objects.filter(aggregate_type="visit", aggregate_id=str(visit_id)).order_by(
            "version"
        )
    )


def day(value: str) -> date:
    return date.fromisoformat(value)


# -- the invariants ------------------------------------------------------------------------
def overlapping_visits() -> list[tuple]:
    """Active visits of one property, of different slots, whose blocked ranges overlap."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id, b.id FROM {Visit._meta.db_table} a
            JOIN {Visit._meta.db_table} b ON a.property_id = b.property_id AND a.id < b.id
                AND a.slot_key <> b.slot_key
                AND tstzrange(a.blocked_from, a.blocked_to) && tstzrange(b.blocked_from, b.blocked_to)
            WHERE a.status IN ('PENDING', 'CONFIRMED') AND b.status IN ('PENDING', 'CONFIRMED')
            """
        )
        return cursor.fetchall()


def overfull_slots() -> list[tuple]:
    """Open-house slots holding more active visits than their capacity."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT property_id, slot_key, count(*), max(capacity)
            FROM {Visit._meta.db_table}
            WHERE status IN ('PENDING', 'CONFIRMED')
            GROUP BY property_id, slot_key HAVING count(*) > max(capacity)
            """
        )
        return cursor.fetchall()


@pytest.fixture(autouse=True)
def never_double_booked(request):
    yield
    if "django_db" in request.keywords or "transactional_db" in request.fixturenames:
        try:
            broken = overlapping_visits() + overfull_slots()
        except Exception:  # the test had no database access
            return
        assert broken == [], f"double bookings: {broken}"


# -- real processes ----------------------------------------------------------------------
def celery_worker(env: dict[str, str] | None = None) -> ServiceProcess:
    """The Procfile's worker, on this test database and the test Redis database."""
    return testing_celery.celery_worker("schedule_visit", "visits", env=env, concurrency=1)


@pytest.fixture
def empty_queue():
    """Empty the Celery queue after the test (tasks it queued that nobody will run)."""
    yield
    purge_queue()
