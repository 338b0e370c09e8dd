"""Reads: the availability table (indexer.models.RoomAvailability) and the live
documents of the index.

Raw SQL for the table: these run once per batch of up to 1,000 property events and once per reindex
chunk of up to 10,000, where model instances would cost more than the query. The ids go
as one comma-separated string that PostgreSQL splits (`string_to_array`): psycopg
adapting a list of 10,000 strings took ~45 ms per query against ~10 ms this way, and ids
come back as text rather than UUID objects (half the Python time for the rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from rentezy_common.search import alias_name
from rentezy_common.search.availability import RoomAvailability
from rentezy_common.search.client import get_client
from rentezy_common.search.writer import SearchUnavailable, unavailable_as_dependency

from .models import RoomAvailability as RoomAvailabilityRow

TABLE = RoomAvailabilityRow._meta.db_table
# The hyphenated text form (property_service's ids): the only ids looked up.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def availability_by_property(
    property_ids: Iterable[str],
) -> dict[str, dict[str, RoomAvailability]]:
    """The stored availability of every room of these properties, in one SELECT:
    `{property id as given: {room id: RoomAvailability}}` (room ids canonical, i.e.
    lower case). Properties without rows are absent; ids that are not UUIDs in their
    hyphenated form have none."""
    wanted: dict[str, str] = {}
    for property_id in property_ids:
        if isinstance(property_id, str) and _UUID.fullmatch(property_id):
            wanted[property_id.lower()] = property_id
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT room_id::text, property_id::text, total_units, available_units, "
            f"bookable, version FROM {TABLE} "
            f"WHERE property_id = ANY(string_to_array(%s, ',')::uuid[])",
            [",".join(wanted)],
        )
        rows = cursor.fetchall()
    found: dict[str, dict[str, RoomAvailability]] = {}
    for room_id, property_id, total, available, bookable, version in rows:
        found.setdefault(wanted[property_id], {})[room_id] = RoomAvailability(
            room_id=room_id,
            property_id=property_id,
            total_units=total,
            available_units=available,
            bookable=bookable,
            version=version,
        )
    return found


def property_list_changed_since(moment: datetime) -> list[str]:
    """Properties with a room whose availability changed at or after `moment`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT property_id::text FROM {TABLE} WHERE updated_at >= %s", [moment]
        )
        return [property_id for (property_id,) in cursor.fetchall()]


def database_now() -> datetime:
    """The database's clock (`updated_at` is stamped with it), so comparisons with it
    do not depend on this machine's clock; the real time even inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def document_list_live(*, ids: list[str], alias: str | None = None) -> list[tuple[str, dict]]:
    """(id, _source) of the documents that exist behind the alias, read in real time
    (`_mget`). Raises `SearchUnavailable` when Elasticsearch cannot answer."""
    with unavailable_as_dependency():
        response = get_client().mget(index=alias or alias_name(), ids=ids, realtime=True).body
    found = []
    for doc in response["docs"]:
        if doc.get("found"):
            found.append((doc["_id"], doc["_source"]))
        elif "error" in doc:
            error = doc["error"]
            if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
                continue  # no alias yet: nothing indexed; indexing will merge the rows
            raise SearchUnavailable(f"Elasticsearch could not read {doc['_id']}: {error}")
    return found
