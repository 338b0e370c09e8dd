"""Deleting rows past their retention, in batches (short locks, bounded transactions)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection


def delete_older_than(
    table: str, column: str, age: timedelta, *, key: str = "id", batch: int = 10_000,
    limit: int | None = None,
) -> int:  # fmt: skip
    """Delete the rows of `table` whose `column` is more than `age` ago, `batch` rows per
    statement, at most `limit` in all (None: until none is left); returns how many.
    Rows whose `column` is NULL stay."""
    total = 0
    while limit is None or total < limit:
        size = batch if limit is None else min(batch, limit - total)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} "
                f"WHERE {column} < now() - %s LIMIT %s)",
                [age, size],
            )
            total += cursor.rowcount
            if cursor.rowcount < size:
                break
    return total
