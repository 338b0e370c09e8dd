"""Room inventory: holds, releases and property snapshots, one SQL statement each (the
inventory services; the consumer's handler in handlers.py decodes, then calls these).

A hold is one conditional UPDATE: `available_units - q WHERE available_units >= q`. The
row lock PostgreSQL takes for the UPDATE serializes concurrent holds of one room; the
second re-checks the condition against the first's committed value (READ COMMITTED
re-evaluation), so no interleaving can take a unit twice, whatever the number of
processes. The CHECK `0 <= available_units <= total_units` is the backstop: a bug that
skipped the condition would fail, not oversell. No read-modify-write in Python, no
table lock.

Every change of a room's availability publishes `inventory.changed` (aggregate `room`)
in the same transaction (docs/contracts/booking-events.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection

from rentezy_common.events import publish_event

from .models import Property, Room

logger = logging.getLogger(__name__)

ROOM = Room._meta.db_table
PROPERTY = Property._meta.db_table
PUBLISHED = "published"

_RETURNING = (
    "id, property_id, owner_id, total_units, available_units, bookable, monthly_price, "
    "deposit, currency, version"
)


@dataclass(frozen=True)
class RoomRow:
    id: Any
    property_id: Any
    owner_id: str
    total_units: int
    available_units: int
    bookable: bool
    monthly_price: Decimal
    deposit: Decimal
    currency: str
    version: int


def _row(cursor) -> RoomRow | None:
    row = cursor.fetchone()
    return RoomRow(*row) if row else None


def room_peek(room_id) -> tuple[int, bool] | None:
    """(available units, bookable) as last committed: the pre-flight read, no lock."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT available_units, bookable FROM {ROOM} WHERE id = %s", [room_id])
        return cursor.fetchone()


def room_hold(room_id, quantity: int) -> RoomRow | None:
    """Take `quantity` units of a bookable room; None when there are not enough."""
    if settings.BOOKING_HOLD_STRATEGY == "select_for_update":
        return _hold_locking(room_id, quantity)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ROOM} SET available_units = available_units - %s, version = version + 1, "
            f"updated_at = now() WHERE id = %s AND bookable AND available_units >= %s "
            f"RETURNING {_RETURNING}",
            [quantity, room_id, quantity],
        )
        room = _row(cursor)
    if room is not None:
        room_publish_availability(room)
    return room


def _hold_locking(room_id, quantity: int) -> RoomRow | None:
    """The other design, kept for bench/booking's comparison only: lock the row with
    SELECT ... FOR UPDATE, check in Python, then UPDATE. Correct too, one round trip
    more per hold (settings.BOOKING_HOLD_STRATEGY = "select_for_update")."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT available_units, bookable FROM {ROOM} WHERE id = %s FOR UPDATE", [room_id]
        )
        found = cursor.fetchone()
        if found is None or not found[1] or found[0] < quantity:
            return None
        cursor.execute(
            f"UPDATE {ROOM} SET available_units = %s, version = version + 1, "
            f"updated_at = now() WHERE id = %s RETURNING {_RETURNING}",
            [found[0] - quantity, room_id],
        )
        room = _row(cursor)
    room_publish_availability(room)
    return room


def room_release(room_id, quantity: int) -> RoomRow:
    """Give `quantity` held or sold units back (an expiry, a cancellation)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ROOM} SET available_units = available_units + %s, version = version + 1, "
            f"updated_at = now() WHERE id = %s RETURNING {_RETURNING}",
            [quantity, room_id],
        )
        room = _row(cursor)
    room_publish_availability(room)
    return room


def room_publish_availability(room: RoomRow) -> None:
    publish_event(
        topic=settings.BOOKING_EVENTS_TOPIC,
        event_type="inventory.changed",
        aggregate_type="room",
        aggregate_id=room.id,
        version=room.version,
        payload={
            "room_id": str(room.id),
            "property_id": str(room.property_id),
            "total_units": room.total_units,
            "available_units": room.available_units,
            "bookable": room.bookable,
        },
    )


# -- property-events -------------------------------------------------------------------
def property_rooms_apply(
    *, property_id: str, owner_id: str, title: str, status: str, rooms: list[dict], version: int
) -> bool:
    """Bring the rooms of one property in line with its snapshot (from the inventory
    consumer, inside the runner's transaction): idempotent by the property's event
    version, so a replayed or reordered event changes nothing. False if it was stale."""
    with connection.cursor() as cursor:
        # The property row is the version guard and the lock of this property's rooms.
        cursor.execute(
            f"""
            INSERT INTO {PROPERTY} (id, owner_id, title, status, version, updated_at)
            VALUES (%s, %s, %s, %s, %s, now())
            ON CONFLICT (id) DO UPDATE SET owner_id = EXCLUDED.owner_id,
                title = EXCLUDED.title, status = EXCLUDED.status,
                version = EXCLUDED.version, updated_at = now()
            WHERE {PROPERTY}.version < EXCLUDED.version
            RETURNING id
            """,
            [property_id, owner_id, title[:200], status, version],
        )
        if cursor.fetchone() is None:
            logger.info(
                "stale property event ignored",
                extra={"property_id": property_id, "version": version},
            )
            return False
        bookable = status == PUBLISHED
        seen = []
        for room in rooms:
            seen.append(room["id"])
            _apply_room(cursor, property_id, owner_id, room, bookable)
        # Rooms gone from the snapshot (or every room, once unpublished) take no holds.
        cursor.execute(
            f"UPDATE {ROOM} SET bookable = false, version = version + 1, updated_at = now() "
            f"WHERE property_id = %s AND bookable AND NOT (id = ANY(%s::uuid[])) "
            f"RETURNING {_RETURNING}",
            [property_id, seen],
        )
        for row in cursor.fetchall():
            room_publish_availability(RoomRow(*row))
    return True


def _apply_room(cursor, property_id, owner_id, room: dict, bookable: bool) -> None:
    cursor.execute(
        f"SELECT total_units, available_units, bookable FROM {ROOM} WHERE id = %s FOR UPDATE",
        [room["id"]],
    )
    current = cursor.fetchone()
    values = [room["name"], room["monthly_price"], room["deposit"], room["currency"], owner_id]
    if current is None:
        cursor.execute(
            f"""
            INSERT INTO {ROOM} (id, property_id, name, monthly_price, deposit, currency,
                                owner_id, total_units, available_units, bookable, version,
                                updated_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, now())
            RETURNING {_RETURNING}
            """,
            [room["id"], property_id, *values, room["total_units"], room["total_units"],
             bookable],
        )  # fmt: skip
        room_publish_availability(_row(cursor))
        return
    total, available, was_bookable = current
    new_total = room["total_units"]
    committed = total - available  # held or sold
    refused = None
    if new_total - total + available < 0:
        # Fewer units than are held or sold: keep the old total, say so.
        refused, new_total = new_total, total
        logger.warning(
            "room total refused: below held and sold units",
            extra={"room_id": room["id"], "requested": refused, "committed": committed},
        )
    changed = new_total != total or bookable != was_bookable
    cursor.execute(
        f"""
        UPDATE {ROOM} SET name = %s, monthly_price = %s, deposit = %s, currency = %s,
            owner_id = %s, total_units = %s, available_units = available_units + %s,
            bookable = %s, refused_total_units = %s, version = version + %s,
            updated_at = now()
        WHERE id = %s RETURNING {_RETURNING}
        """,
        [*values, new_total, new_total - total, bookable, refused, int(changed), room["id"]],
    )
    row = _row(cursor)
    if changed:
        room_publish_availability(row)
