"""From a `property-events` snapshot to the index document: the one builder.

search_consumer indexes what `build_document` returns, and search_service's tests seed
their indices through it too, so the two can never drift apart.

A published snapshot becomes a full, searchable document. Any other status (draft,
archived, deleted) becomes a *tombstone*: a small document with `searchable: false`
written with the same external version, instead of a delete. A real delete's version
is forgotten after `index.gc_deletes` (60 s), after which a replayed older event could
resurrect the listing; a tombstone keeps its version for as long as it exists. Every
search filters on `searchable`, so tombstones are never found.

A snapshot that cannot be indexed raises `InvalidSnapshot` (the consumer dead-letters
the event): the contract's required fields are checked here, once.

Room availability is not in the snapshot: it comes from booking-events and is merged
into the built document by `availability.merge_availability`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .schema import SEARCHABLE_STATUS, STATUSES

DELETED_EVENT = "property.deleted"
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TWO_PLACES = Decimal("0.01")


class InvalidSnapshot(ValueError):
    """The snapshot misses a required field or has one of the wrong type: retrying
    cannot help. `field` names it (dotted, e.g. `address.city`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def build_document(
    snapshot: Mapping[str, Any], *, version: int, event_type: str | None = None
) -> dict[str, Any]:
    """The index document for one snapshot at event version `version`."""
    if not isinstance(snapshot, Mapping):
        raise InvalidSnapshot("payload", "must be an object")
    property_id = _text(snapshot, "id")
    status = _choice(snapshot, "status", STATUSES)
    if event_type == DELETED_EVENT:
        status = "deleted"  # the contract: a deleted property never comes back
    if status != SEARCHABLE_STATUS:
        return tombstone(snapshot, property_id=property_id, status=status, version=version)

    address = _object(snapshot, "address")
    location = _object(snapshot, "location")
    rooms = [_room(room, index) for index, room in enumerate(_list(snapshot, "rooms"))]
    total_units = sum(room["total_units"] for room in rooms)
    return {
        "id": property_id,
        "owner_id": _optional_text(snapshot, "owner_id"),
        "status": status,
        "searchable": True,
        "version": version,
        "tiebreak": tiebreak(property_id),
        "title": _text(snapshot, "title"),
        "description": _optional_text(snapshot, "description"),
        "property_type": _text(snapshot, "property_type"),
        "address": {
            "line1": _optional_text(address, "line1", prefix="address."),
            "line2": _optional_text(address, "line2", prefix="address."),
            "locality": _optional_text(address, "locality", prefix="address."),
            "city": _text(address, "city", prefix="address."),
            "state": _optional_text(address, "state", prefix="address."),
            "postal_code": _optional_text(address, "postal_code", prefix="address."),
            "country": _optional_text(address, "country", prefix="address."),
        },
        "location": {
            "lat": _number(location, "lat", low=-90, high=90, prefix="location."),
            "lon": _number(location, "lon", low=-180, high=180, prefix="location."),
        },
        "currency": _currency(snapshot, "currency"),
        "monthly_price": _money(snapshot, "monthly_price"),
        "deposit": _money(snapshot, "deposit", required=False),
        "bedrooms": _count(snapshot, "bedrooms"),
        "bathrooms": _count(snapshot, "bathrooms", required=False),
        "area_sqft": _count(snapshot, "area_sqft", required=False),
        "furnished": _bool(snapshot, "furnished"),
        "amenities": sorted({_code(value, "amenities") for value in _list(snapshot, "amenities")}),
        "available_from": _date(snapshot, "available_from"),
        "rooms": rooms,
        "total_units": total_units,
        # Every unit counts as free here; search_consumer then merges each room's newest
        # `inventory.changed` from booking-events (search.availability.merge_availability)
        # before writing, which also recomputes this sum.
        "available_units": sum(room["available_units"] for room in rooms),
        "cover_photo_url": _optional_text(snapshot, "cover_photo_url", default=None),
        "created_at": _datetime(snapshot, "created_at"),
        "updated_at": _datetime(snapshot, "updated_at"),
        "published_at": _datetime(snapshot, "published_at"),
    }


def tiebreak(property_id: str) -> int:
    """A stable 63-bit number for the id (blake2b): collisions among a million listings
    have a probability around 1e-7, and would only make two equal-priced listings
    swap between pages."""
    return int.from_bytes(hashlib.blake2b(property_id.encode(), digest_size=8).digest(), "big") >> 1


def tombstone(
    snapshot: Mapping[str, Any], *, property_id: str, status: str, version: int
) -> dict[str, Any]:
    """What stays of a listing that is not published: enough to hold its version."""
    owner = snapshot.get("owner_id")
    return {
        "id": property_id,
        "owner_id": owner if isinstance(owner, str) else None,
        "status": status,
        "searchable": False,
        "version": version,
        "updated_at": _normal_datetime(snapshot.get("updated_at")),
    }


# -- field checks ----------------------------------------------------------------------
def _get(data: Mapping[str, Any], key: str, prefix: str) -> Any:
    if key not in data:
        raise InvalidSnapshot(prefix + key, "is missing")
    return data[key]


def _text(data: Mapping[str, Any], key: str, *, prefix: str = "") -> str:
    value = _get(data, key, prefix)
    if not isinstance(value, str) or not value.strip():
        raise InvalidSnapshot(prefix + key, "must be a non-empty string")
    return value.strip()


def _optional_text(
    data: Mapping[str, Any], key: str, *, prefix: str = "", default: str | None = ""
) -> str | None:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidSnapshot(prefix + key, "must be a string")
    return value.strip()


def _choice(data: Mapping[str, Any], key: str, choices) -> str:
    value = _text(data, key)
    if value not in choices:
        raise InvalidSnapshot(key, f"must be one of {', '.join(choices)}")
    return value


def _code(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidSnapshot(key, "must hold non-empty strings")
    return value


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = _get(data, key, "")
    if not isinstance(value, Mapping):
        raise InvalidSnapshot(key, "must be an object")
    return value


def _list(data: Mapping[str, Any], key: str) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidSnapshot(key, "must be a list")
    return value


def _number(data: Mapping[str, Any], key: str, *, low: float, high: float, prefix: str) -> float:
    value = _get(data, key, prefix)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidSnapshot(prefix + key, "must be a number")
    try:
        number = float(value)
    except ValueError:
        raise InvalidSnapshot(prefix + key, "must be a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise InvalidSnapshot(prefix + key, f"must be between {low} and {high}")
    return number


def _money(
    data: Mapping[str, Any], key: str, *, prefix: str = "", required: bool = True
) -> str | None:
    """A non-negative decimal, kept as its two-place string (the mapping's `double`
    parses it; _source shows it as the property service wrote it)."""
    value = data.get(key) if not required else _get(data, key, prefix)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidSnapshot(prefix + key, "must be a decimal string")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidSnapshot(prefix + key, "must be a decimal string") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e13"):
        raise InvalidSnapshot(prefix + key, "must be a non-negative amount")
    return str(amount.quantize(_TWO_PLACES))


def _count(
    data: Mapping[str, Any], key: str, *, prefix: str = "", required: bool = True
) -> int | None:
    value = data.get(key) if not required else _get(data, key, prefix)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise InvalidSnapshot(prefix + key, "must be a non-negative integer")
    return value


def _bool(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise InvalidSnapshot(key, "must be true or false")
    return value


def _currency(data: Mapping[str, Any], key: str, *, prefix: str = "") -> str:
    value = _text(data, key, prefix=prefix)
    if not _CURRENCY.match(value):
        raise InvalidSnapshot(prefix + key, "must be an ISO 4217 code")
    return value


def _date(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise InvalidSnapshot(key, "must be an ISO date or null") from None


def _normal_datetime(value: Any) -> str | None:
    """ISO 8601 as Elasticsearch's strict format reads it (a `T`, no space), or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _datetime(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    normal = _normal_datetime(value)
    if normal is None:
        raise InvalidSnapshot(key, "must be an ISO date-time or null")
    return normal


def _room(room: Any, index: int) -> dict[str, Any]:
    prefix = f"rooms[{index}]."
    if not isinstance(room, Mapping):
        raise InvalidSnapshot(f"rooms[{index}]", "must be an object")
    total = _count(room, "total_units", prefix=prefix)
    return {
        "id": _text(room, "id", prefix=prefix),
        "name": _optional_text(room, "name", prefix=prefix),
        "total_units": total,
        # All free until an inventory change of the room is merged (merge_availability).
        "available_units": total,
        "monthly_price": _money(room, "monthly_price", prefix=prefix, required=False),
        "currency": _optional_text(room, "currency", prefix=prefix, default=None),
    }
