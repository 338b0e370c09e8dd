"""Writing `property-events` to the live search index.

`index_events` is what the consumer calls per batch, and what a benchmark can call
directly: decode each snapshot with the shared builder, keep the newest version of each
property, write them in one `_bulk` request through the alias with external versions.
"""

from __future__ import annotations

import logging
import uuid

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.search import alias_name
from rentezy_common.search.client import is_unavailable
from rentezy_common.search.documents import InvalidSnapshot
from rentezy_common.search.indices import ensure_alias
from rentezy_common.search.writer import (
    IndexMissing,
    SearchUnavailable,
    WriteResult,
    newest_per_document,
    snapshot_op,
    write,
)

logger = logging.getLogger(__name__)


def index_events(envelopes: list[EventEnvelope]) -> dict[uuid.UUID, Exception]:
    """Apply a batch of property events to the live index, in one `_bulk` request.

    Returns the events rejected as malformed (`InvalidSnapshot`, or a document that
    Elasticsearch refuses), by event id; the consumer dead-letters them. Raises
    `SearchUnavailable` when Elasticsearch cannot take the batch (the consumer waits
    and retries). Events that are not about a property are ignored."""
    rejected: dict[uuid.UUID, Exception] = {}
    ops = []
    for envelope in envelopes:
        try:
            op = snapshot_op(envelope)
        except InvalidSnapshot as exc:
            rejected[envelope.id] = exc
            continue
        if op is not None:
            ops.append(op)
    if not ops:
        return rejected
    result = write_live(newest_per_document(ops))
    rejected.update(result.rejected)
    logger.debug(
        "indexed batch",
        extra={"indexed": result.indexed, "stale": result.stale, "rejected": len(rejected)},
    )
    return rejected


def write_live(ops) -> WriteResult:
    """Write through the alias (never auto-creating an index under its name); if the
    alias is gone, bootstrap it and write again."""
    alias = alias_name()
    try:
        try:
            return write(ops, index=alias, require_alias=True)
        except IndexMissing:
            logger.warning("search alias missing; creating it", extra={"alias": alias})
            ensure_alias(alias)
            return write(ops, index=alias, require_alias=True)
    except SearchUnavailable:
        raise
    except Exception as exc:
        if is_unavailable(exc):
            raise SearchUnavailable(f"Elasticsearch unavailable: {exc!r}") from exc
        raise
