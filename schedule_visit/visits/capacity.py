"""Places taken and given back, one SQL statement each (called by visits.services inside
their transactions).

`capacity_take` is one upsert: a new row starts with one place taken; an existing row
takes one more only `WHERE taken < capacity`. PostgreSQL locks the row for the update
and re-evaluates the condition against the last committed value, so two requests for
the last place serialize on the row and exactly one of them gets it, whatever the
number of processes; a new row's unique index does the same for the first place. The
CHECK `0 <= taken <= capacity` is the backstop: a bug that skipped the condition would
fail, not overbook. No read-modify-write in Python.
"""

from __future__ import annotations

from django.db import connection

from .models import Capacity

TABLE = Capacity._meta.db_table


def capacity_take(*, property_id, scope: str, key: str, capacity: int) -> bool:
    """Take one place of (`scope`, `key`) out of `capacity` (the current rule's); False
    when none is left."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} AS c (property_id, scope, key, capacity, taken)
            VALUES (%s, %s, %s, %s, 1)
            ON CONFLICT (property_id, scope, key) DO UPDATE
                SET taken = c.taken + 1, capacity = EXCLUDED.capacity
                WHERE c.taken < EXCLUDED.capacity
            RETURNING taken
            """,
            [property_id, scope, key, capacity],
        )
        return cursor.fetchone() is not None


def capacity_release(*, property_id, scope: str, key: str) -> None:
    """Give one place of (`scope`, `key`) back."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET taken = taken - 1 "
            "WHERE property_id = %s AND scope = %s AND key = %s AND taken > 0",
            [property_id, scope, key],
        )


def capacity_take_day(*, property_id, day, capacity: int, visits_table: str) -> bool:
    """Take one place of a property's local `day` under its daily cap. The row is made
    on first use with the day's active visits already counted (a cap set after visits
    were booked counts them); from then on it is the counter, as in `capacity_take`."""
    key = day.isoformat()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} AS c (property_id, scope, key, capacity, taken)
            SELECT %s, 'day', %s, %s, n + 1 FROM (
                SELECT count(*) AS n FROM {visits_table}
                WHERE property_id = %s AND local_date = %s
                  AND status IN ('PENDING', 'CONFIRMED')
            ) counted WHERE n < %s
            ON CONFLICT (property_id, scope, key) DO UPDATE
                SET taken = c.taken + 1, capacity = EXCLUDED.capacity
                WHERE c.taken < EXCLUDED.capacity
            RETURNING taken
            """,
            [property_id, key, capacity, property_id, day, capacity],
        )
        return cursor.fetchone() is not None


def capacity_forget(*, property_id, scope: str) -> None:
    """Drop a property's counters of one scope (made again from the visits on next use)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE property_id = %s AND scope = %s", [property_id, scope]
        )
