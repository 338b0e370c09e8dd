"""Writing to the live search index: property snapshots and room availability.

Service functions (`<entity>_<verb>`, keyword-only; docs/architecture/layout.md):

`property_index` is what the `properties` consumer calls per batch, and what a benchmark
can call directly: decode each snapshot with the shared builder, keep the newest version
of each property, merge the stored availability of its rooms, and write them in one
`_bulk` request through the alias with external versions.

`availability_index` is what the `availability` consumer calls per batch of
booking-events: keep each room's newest `inventory.changed` in the availability table,
then rewrite the affected documents with it (`availability_apply`).

Every document write, from either side, is a whole-document `index` whose external
version combines the property version and the availability versions of its rooms
(rentezy_common.search.availability), so whichever write is older loses with a 409 and
the two consumers can run concurrently. docs/services/search.md, "Availability".
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import connection

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.search import alias_name
from rentezy_common.search.availability import (
    InvalidInventory,
    RoomAvailability,
    inventory_change,
    merge_availability,
)
from rentezy_common.search.documents import InvalidSnapshot
from rentezy_common.search.indices import ensure_alias
from rentezy_common.search.writer import (
    IndexMissing,
    IndexOp,
    WriteResult,
    newest_per_document,
    snapshot_op,
    unavailable_as_dependency,
    write,
)

from .selectors import TABLE, availability_by_property, document_list_live

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Documents read (`_mget`) and rewritten (`_bulk`) per request when applying
# availability: ~2 MB of listings each way.
APPLY_CHUNK = 1000


def _decoded(
    envelopes: list[EventEnvelope],
    decode: Callable[[EventEnvelope], T | None],
    malformed: type[Exception],
) -> tuple[list[T], dict[uuid.UUID, Exception]]:
    """What `decode` makes of each envelope (None: not for this consumer, skipped), and
    the events it refused as `malformed`, by event id (for the dead-letter topic)."""
    decoded: list[T] = []
    rejected: dict[uuid.UUID, Exception] = {}
    for envelope in envelopes:
        try:
            item = decode(envelope)
        except malformed as exc:
            rejected[envelope.id] = exc
            continue
        if item is not None:
            decoded.append(item)
    return decoded, rejected


# -- property-events -------------------------------------------------------------------
def property_index(*, envelopes: list[EventEnvelope]) -> dict[uuid.UUID, Exception]:
    """Apply a batch of property events to the live index, in one `_bulk` request.

    Returns the events rejected as malformed (`InvalidSnapshot`, or a document that
    Elasticsearch refuses), by event id; the consumer dead-letters them. Raises
    `SearchUnavailable` when Elasticsearch cannot take the batch (the consumer waits
    and retries). Events that are not about a property are ignored."""
    ops, rejected = _decoded(envelopes, snapshot_op, InvalidSnapshot)
    if not ops:
        return rejected
    ops = newest_per_document(ops)
    with_rooms = [op for op in ops if op.document.get("rooms")]
    merge_stored_availability(with_rooms)
    result = _write_live(ops)
    rejected.update(result.rejected)
    # An availability change committed after the SELECT above may have been applied to
    # the previous document by the availability consumer, and then overwritten by ours
    # (a newer snapshot wins whatever its availability). Whoever commits a change reads
    # the document afterwards, so only this window needs closing: read the rows again
    # and rewrite the documents whose rooms have a newer version than we wrote (same
    # snapshot, newer availability: a higher external version).
    redo = [op for op in merge_stored_availability(with_rooms) if op.event_id not in rejected]
    if redo:
        rewritten = _write_live(redo)
        rejected.update(rewritten.rejected)
        logger.info("availability changed while indexing", extra={"rewritten": len(redo)})
    logger.debug(
        "indexed batch",
        extra={"indexed": result.indexed, "stale": result.stale, "rejected": len(rejected)},
    )
    return rejected


def merge_stored_availability(ops: list[IndexOp]) -> list[IndexOp]:
    """Merge the availability table into the documents of `ops` (one SELECT for all);
    returns the ops whose document changed. Used by `property_index` and the reindex."""
    if not ops:
        return []
    stored = availability_by_property(op.doc_id for op in ops)
    return [op for op in ops if merge_availability(op.document, stored.get(op.doc_id))]


def _write_live(ops: list[IndexOp], *, alias: str | None = None) -> WriteResult:
    """Write through the alias (never auto-creating an index under its name); if the
    alias is gone, bootstrap it and write again."""
    alias = alias or alias_name()
    with unavailable_as_dependency():
        try:
            return write(ops, index=alias, require_alias=True)
        except IndexMissing:
            logger.warning("search alias missing; creating it", extra={"alias": alias})
            ensure_alias(alias)
            return write(ops, index=alias, require_alias=True)


# -- booking-events: room availability -------------------------------------------------
def availability_index(*, envelopes: list[EventEnvelope]) -> dict[uuid.UUID, Exception]:
    """Apply a batch of booking-events: store each room's newest `inventory.changed`
    (one INSERT ... ON CONFLICT), then rewrite the affected property documents.

    Returns the events rejected as malformed (`InvalidInventory`), by event id; the
    consumer dead-letters them. Booking events (aggregate `booking`) are ignored. Raises
    `SearchUnavailable` when Elasticsearch cannot be read or written (the consumer
    waits and retries the batch: the upsert is idempotent)."""
    changes, rejected = _decoded(envelopes, inventory_change, InvalidInventory)
    newest: dict[str, RoomAvailability] = {}
    for change in changes:
        current = newest.get(change.room_id)
        if current is None or change.version > current.version:
            newest[change.room_id] = change
    if not newest:
        return rejected
    availability_upsert(changes=list(newest.values()))
    # Every property of the batch, not only those whose rows changed: a batch retried
    # after an Elasticsearch outage finds its rows already stored.
    result = availability_apply(property_ids={c.property_id for c in newest.values()})
    for reason in list(result.rejected.values())[:3]:
        # The document came from the index itself, so this is a mapping problem (see
        # indices.add_missing_fields), not the events' fault: they stay stored and the
        # next write of the property carries them.
        logger.error("availability update refused by Elasticsearch: %s", reason)
    return rejected


def availability_upsert(*, changes: list[RoomAvailability]) -> int:
    """Store the changes (at most one per room) in one statement; a row is replaced only
    by a higher version, so replayed and reordered events change nothing. Returns how
    many rows were inserted or updated."""
    if not changes:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} AS t
                (room_id, property_id, total_units, available_units, bookable, version,
                 updated_at)
            SELECT room_id, property_id, total_units, available_units, bookable, version,
                   clock_timestamp()
            FROM unnest(%s::uuid[], %s::uuid[], %s::integer[], %s::integer[],
                        %s::boolean[], %s::bigint[])
                AS c(room_id, property_id, total_units, available_units, bookable, version)
            ON CONFLICT (room_id) DO UPDATE SET
                property_id = EXCLUDED.property_id,
                total_units = EXCLUDED.total_units,
                available_units = EXCLUDED.available_units,
                bookable = EXCLUDED.bookable,
                version = EXCLUDED.version,
                updated_at = EXCLUDED.updated_at
            WHERE t.version < EXCLUDED.version
            """,
            [
                [uuid.UUID(c.room_id) for c in changes],
                [uuid.UUID(c.property_id) for c in changes],
                [c.total_units for c in changes],
                [c.available_units for c in changes],
                [c.bookable for c in changes],
                [c.version for c in changes],
            ],
        )
        return cursor.rowcount


def availability_apply(*, property_ids: Iterable[str], alias: str | None = None) -> WriteResult:
    """Rewrite the live documents of these properties with the stored availability of
    their rooms: read the rows (one SELECT), read the documents (`_mget`, real-time),
    merge, and write back the changed ones (`_bulk`) at their property version with the
    new availability versions. A property without a document yet (its event has not
    been indexed) is skipped: indexing it merges the rows. A tombstone has no rooms:
    nothing to do. Called after the rows are committed, so the write either carries the
    newest rows or loses (409) to a document that does."""
    ids = sorted(set(property_ids))
    result = WriteResult()
    for start in range(0, len(ids), APPLY_CHUNK):
        chunk = ids[start : start + APPLY_CHUNK]
        stored = availability_by_property(chunk)
        if not stored:
            continue
        ops = []
        for doc_id, document in document_list_live(ids=list(stored), alias=alias):
            if merge_availability(document, stored[doc_id]):
                ops.append(IndexOp(doc_id, document["version"], document))
        if ops:
            result.add(_write_live(ops, alias=alias))
    return result


# -- former names ----------------------------------------------------------------------
# The tests of this service call these (they were not changed with the layout); new
# code calls property_index / availability_index.
def index_events(envelopes: list[EventEnvelope]) -> dict[uuid.UUID, Exception]:
    return property_index(envelopes=envelopes)


def availability_events(envelopes: list[EventEnvelope]) -> dict[uuid.UUID, Exception]:
    return availability_index(envelopes=envelopes)
