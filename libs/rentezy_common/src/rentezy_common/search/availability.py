"""Room availability in the search index, from `booking-events` `inventory.changed`.

booking_service publishes each room's full availability (a snapshot, not a delta) with
a per-room, consecutive version (docs/contracts/booking-events.md). search_consumer
keeps the newest per room in its own table and merges it into the property documents:

- `inventory_change(envelope)`: the validated payload of one event (None for events
  search does not use: bookings), raising `InvalidInventory` for a malformed one;
- `merge_availability(document, rooms)`: per room of the document, take the newest
  availability (`rooms[i].available_units`, `rooms[i].availability_version`) and
  recompute the document's `available_units` (only bookable rooms count);
- `document_version(document)`: the external version the document is written with.

Why not a scripted (painless) update of the stored document: this Elasticsearch has no
painless, and any `_update` bumps the document's `_version` by one, which would make the
next property event (external version = its event version) look stale and be dropped.
Instead every write of a property document, whether a property event or an
availability change caused it, is a whole-document `index` with

    external version = property version << 32 | sum of the rooms' availability versions

Both parts only grow, so the number grows with every change of either: a newer property
snapshot always wins (its high bits), whatever availability either side carries; with
the same snapshot, the document with the newer availability wins (each room's version
only grows, so its sum does). A replayed or reordered event of either kind, or two
writers of the same snapshot racing, therefore cannot regress the stored document: the
loser gets a 409, which the writer counts as "already newer". (A newer snapshot written
with older availability does win: search_consumer's property handler re-reads the
availability after writing to close that window.) (A plain sum of the two versions, the first
plan, could let a replayed old snapshot win over a newer one when its availability sum
was higher.) Limits: property versions below 2^31, and per property a sum of room
versions below 2^32 (capped there: a property would need four billion inventory changes).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..events.envelope import EventEnvelope

ROOM_AGGREGATE = "room"
INVENTORY_CHANGED = "inventory.changed"

PROPERTY_VERSION_LIMIT = 2**31  # exclusive: version << 32 must stay below 2^63
AVAILABILITY_BITS = 32
_AVAILABILITY_CAP = 2**AVAILABILITY_BITS - 1
_UNITS_LIMIT = 2**31  # `integer` in the mapping


class InvalidInventory(ValueError):
    """An `inventory.changed` payload that cannot be applied: retrying cannot help.
    `field` names the bad field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@dataclass(frozen=True, slots=True)
class RoomAvailability:
    """One room's availability at one inventory version. Ids are canonical UUID strings."""

    room_id: str
    property_id: str
    total_units: int
    available_units: int
    bookable: bool
    version: int

    @property
    def free_units(self) -> int:
        """What search counts as free: nothing in a room that cannot be booked."""
        return self.available_units if self.bookable else 0


def inventory_change(envelope: EventEnvelope) -> RoomAvailability | None:
    """The availability an event carries; None for any other `booking-events` event
    (bookings: search does not use them). Raises InvalidInventory for a bad payload."""
    if envelope.aggregate_type != ROOM_AGGREGATE or envelope.type != INVENTORY_CHANGED:
        return None
    payload = envelope.payload
    if not isinstance(payload, Mapping):
        raise InvalidInventory("payload", "must be an object")
    room_id = _uuid(payload, "room_id")
    if room_id != _canonical(envelope.aggregate_id):
        raise InvalidInventory("room_id", "must equal the event's aggregate_id")
    total = _units(payload, "total_units")
    available = _units(payload, "available_units")
    if available > total:
        raise InvalidInventory("available_units", "must not exceed total_units")
    bookable = payload.get("bookable")
    if not isinstance(bookable, bool):
        raise InvalidInventory("bookable", "must be true or false")
    if envelope.version >= 2**AVAILABILITY_BITS:
        raise InvalidInventory("version", f"must be below 2^{AVAILABILITY_BITS}")
    return RoomAvailability(
        room_id=room_id,
        property_id=_uuid(payload, "property_id"),
        total_units=total,
        available_units=available,
        bookable=bookable,
        version=envelope.version,
    )


def merge_availability(
    document: dict[str, Any], rooms: Mapping[str, RoomAvailability] | None
) -> bool:
    """Put the newest availability of each of the document's rooms into it, in place:
    `rooms[i].available_units` (0 when not bookable) and `rooms[i].availability_version`
    for each room whose `rooms` entry (by room id, lower case) is newer than the one the
    document holds, then the document's `available_units` = the sum over its rooms.
    Rooms without an entry keep what they have (a room never changed by a booking has
    all its units free); entries of rooms the document does not list (removed from the
    property) are ignored. A tombstone has no rooms: nothing changes. Returns whether
    the document changed."""
    if not rooms or not document.get("rooms"):
        return False
    changed = False
    for room in document["rooms"]:
        room_id = room["id"]
        entry = rooms.get(room_id)
        if entry is None and not room_id.islower():  # canonical ids are lower case
            entry = rooms.get(room_id.lower())
        if entry is None or entry.version <= room.get("availability_version", 0):
            continue
        room["available_units"] = entry.free_units
        room["availability_version"] = entry.version
        changed = True
    if changed:
        document["available_units"] = sum(room["available_units"] for room in document["rooms"])
    return changed


def document_version(document: Mapping[str, Any], property_version: int | None = None) -> int:
    """The external version to write `document` with (see the module docstring):
    `property_version` (default the document's `version`) in the high bits, the sum of
    its rooms' availability versions in the low 32."""
    if property_version is None:
        property_version = document["version"]
    if not 0 <= property_version < PROPERTY_VERSION_LIMIT:
        raise ValueError(f"property version {property_version} out of range")
    availability = 0
    for room in document.get("rooms") or ():
        availability += room.get("availability_version", 0)
    return property_version << AVAILABILITY_BITS | min(availability, _AVAILABILITY_CAP)


def _canonical(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _uuid(payload: Mapping[str, Any], key: str) -> str:
    if key not in payload:
        raise InvalidInventory(key, "is missing")
    value = _canonical(payload[key])
    if value is None:
        raise InvalidInventory(key, "must be a UUID string")
    return value


def _units(payload: Mapping[str, Any], key: str) -> int:
    if key not in payload:
        raise InvalidInventory(key, "is missing")
    value = payload[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _UNITS_LIMIT:
        raise InvalidInventory(key, "must be a non-negative integer")
    return value
