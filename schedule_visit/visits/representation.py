"""The JSON of the visits service's aggregates: what the API returns and what
`visit-events` carry, one function each, so the two cannot drift apart
(docs/contracts/visit-events.md). Plain code, no ModelSerializer."""

from __future__ import annotations

from datetime import UTC, datetime

from . import policies
from .models import Availability, Visit


def visit_representation(visit: Visit) -> dict:
    """A visit as the API shows it and its events carry it: UTC instants, and the same
    instants in the property's zone (with their offset)."""
    zone = policies.zone_of(visit.time_zone)
    return {
        "id": str(visit.id),
        "property_id": str(visit.property_id),
        "property_title": visit.property.title,
        "tenant_id": visit.tenant_id,
        "owner_id": visit.owner_id,
        "status": visit.status,
        "start": iso(visit.start),
        "end": iso(visit.end),
        "local_start": visit.start.astimezone(zone).isoformat(),
        "local_end": visit.end.astimezone(zone).isoformat(),
        "time_zone": zone.key,
        "kind": "open_house" if visit.capacity > 1 else "private",
        "reason": visit.reason or None,
        "ended_by": visit.ended_by or None,
        "sequence": visit.sequence,
        "created_at": iso(visit.created_at),
        "updated_at": iso(visit.updated_at),
        "confirmed_at": iso(visit.confirmed_at),
        "ended_at": iso(visit.ended_at),
    }


def slot_representation(slot: policies.Slot, remaining: int, zone) -> dict:
    return {
        "start": iso(slot.start),
        "end": iso(slot.end),
        "local_start": slot.start.astimezone(zone).isoformat(),
        "local_end": slot.end.astimezone(zone).isoformat(),
        "local_date": slot.day.isoformat(),
        "kind": "open_house" if slot.capacity > 1 else "private",
        "capacity": slot.capacity,
        "remaining": remaining,
    }


def availability_representation(availability: Availability, weekly, exceptions) -> dict:
    """A property's viewing hours and settings, as the landlord sets them (PUT)."""
    return {
        "property_id": str(availability.property_id),
        "time_zone": policies.zone_of(availability.property.time_zone).key,
        "visit_minutes": availability.visit_minutes,
        "buffer_before_minutes": availability.buffer_before_minutes,
        "buffer_after_minutes": availability.buffer_after_minutes,
        "min_notice_minutes": availability.min_notice_minutes,
        "horizon_days": availability.horizon_days,
        "daily_cap": availability.daily_cap,
        "auto_confirm": availability.auto_confirm,
        "weekly": [
            {
                "weekday": rule.weekday,
                "start": _hhmm(rule.start),
                "end": _hhmm(rule.end),
                "capacity": rule.capacity,
            }
            for rule in weekly
        ],
        "exceptions": [
            {
                "date": exception.date.isoformat(),
                "closed": exception.closed,
                "start": _hhmm(exception.start),
                "end": _hhmm(exception.end),
                "capacity": exception.capacity if exception.start else None,
            }
            for exception in exceptions
        ],
        "updated_at": iso(availability.updated_at),
    }


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _hhmm(value) -> str | None:
    return value.strftime("%H:%M") if value else None
