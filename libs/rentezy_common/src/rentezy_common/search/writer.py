"""Applying property snapshots to an index: `_bulk` with external versions.

Each snapshot event becomes one `index` action whose external version is the event's
`version` in the high bits and the sum of the document's room availability versions in
the low 32 (`availability.document_version`): Elasticsearch keeps a document only if its
version is higher than the one stored, so a replayed or reordered event (of
property-events or of inventory changes) can never regress a listing. A version
conflict (409) therefore means "already newer": success. Items the cluster could not
take right now (429, 5xx) are retried with backoff; if they still fail, the write
raises `SearchUnavailable` (a `DependencyUnavailable`: the consumer waits instead of
dead-lettering). Any other item error means the document itself is unacceptable: it
is reported back as rejected, with the event it came from.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from ..events.consumer import DependencyUnavailable
from ..events.envelope import EventEnvelope, InvalidEnvelope
from .availability import PROPERTY_VERSION_LIMIT, document_version
from .client import get_client, is_unavailable
from .documents import InvalidSnapshot, build_document

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PROPERTY_AGGREGATE = "property"
# Only what we read back, so a bulk of thousands of items answers in a few kilobytes.
_FILTER_PATH = "errors,items.*.status,items.*.error.type,items.*.error.reason"


class SearchUnavailable(DependencyUnavailable):
    """Elasticsearch did not take the writes (down, overloaded) after retries."""


@contextmanager
def unavailable_as_dependency() -> Iterator[None]:
    """Within it, an error that means Elasticsearch cannot serve right now (down,
    overloaded, timing out) becomes `SearchUnavailable`, so a consumer waits and retries
    instead of dead-lettering; any other error passes unchanged."""
    try:
        yield
    except Exception as exc:
        if is_unavailable(exc):
            raise SearchUnavailable(f"Elasticsearch unavailable: {exc!r}") from exc
        raise


class IndexMissing(RuntimeError):
    """The write target (alias) does not exist."""


class DocumentRejected(ValueError):
    """Elasticsearch refused a document (e.g. a value its mapping cannot parse)."""


@dataclass(frozen=True, slots=True)
class IndexOp:
    """One document to write. `version` is the property event's version; the external
    version written is `document_version(document, version)` (it adds availability)."""

    doc_id: str
    version: int
    document: dict[str, Any]
    event_id: uuid.UUID | None = None  # the event it comes from, to report rejections


@dataclass
class WriteResult:
    indexed: int = 0  # written (created or replaced by a newer version)
    stale: int = 0  # version conflicts: the index already had this version or newer
    rejected: dict[Any, Exception] = field(default_factory=dict)  # event id -> reason

    def add(self, other: WriteResult) -> None:
        self.indexed += other.indexed
        self.stale += other.stale
        self.rejected.update(other.rejected)


def snapshot_op(envelope: EventEnvelope) -> IndexOp | None:
    """The index operation for a `property-events` envelope; None for an event that
    is not about a property (ignored). Raises InvalidSnapshot for a bad payload."""
    if envelope.aggregate_type != PROPERTY_AGGREGATE:
        return None
    payload = envelope.payload
    if payload.get("id") != envelope.aggregate_id:
        raise InvalidSnapshot("id", "must equal the event's aggregate_id")
    _check_version(envelope.version)
    document = build_document(payload, version=envelope.version, event_type=envelope.type)
    return IndexOp(envelope.aggregate_id, envelope.version, document, envelope.id)


def _check_version(version: int) -> None:
    if version >= PROPERTY_VERSION_LIMIT:
        raise InvalidSnapshot("version", "must be below 2^31")


def decode_snapshot_op(raw: bytes | None) -> IndexOp | None:
    """`snapshot_op` straight from a Kafka message value, parsed with orjson: the bulk
    path of a reindex. Checks what `EventEnvelope.from_json` checks of the fields the
    index needs; raises InvalidEnvelope or InvalidSnapshot like the live path."""
    if raw is None:
        raise InvalidEnvelope("empty message")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidEnvelope(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidEnvelope("not a JSON object")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidEnvelope("version must be a positive integer")
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise InvalidEnvelope("payload and trace must be objects")
    fields = {}
    for key in ("id", "type", "aggregate_type", "aggregate_id"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise InvalidEnvelope(f"{key} must be a non-empty string")
        fields[key] = value
    try:
        event_id = uuid.UUID(fields["id"])
    except ValueError:
        raise InvalidEnvelope("id must be a UUID") from None
    if fields["aggregate_type"] != PROPERTY_AGGREGATE:
        return None
    if payload.get("id") != fields["aggregate_id"]:
        raise InvalidSnapshot("id", "must equal the event's aggregate_id")
    _check_version(version)
    document = build_document(payload, version=version, event_type=fields["type"])
    return IndexOp(fields["aggregate_id"], version, document, event_id)


def newest_per_document(ops: Iterable[IndexOp]) -> list[IndexOp]:
    """Keep only the highest version of each document (fewer writes; same result)."""
    newest: dict[str, IndexOp] = {}
    for op in ops:
        current = newest.get(op.doc_id)
        if current is None or op.version > current.version:
            newest[op.doc_id] = op
    return list(newest.values())


def bulk_body(ops: Iterable[IndexOp]) -> bytes:
    """The NDJSON `_bulk` body, serialized once here with orjson (the client passes
    bytes on unchanged; orjson is several times faster than json, which matters for a
    reindex of 100,000 listings)."""
    dumps = orjson.dumps
    lines = []
    for op in ops:
        lines.append(
            b'{"index":{"_id":%s,"version":%d,"version_type":"external"}}'
            % (dumps(op.doc_id), document_version(op.document, op.version))
        )
        lines.append(dumps(op.document))
    lines.append(b"")
    return b"\n".join(lines)


def write(
    ops: list[IndexOp],
    *,
    index: str,
    client: Elasticsearch | None = None,
    require_alias: bool = False,
    refresh: bool | str = False,
    retries: int = 3,
    backoff: float = 0.2,
    request_timeout: float = 60.0,
) -> WriteResult:
    """Write `ops` to `index` (an alias or a concrete index) in one `_bulk` request,
    retrying the items the cluster could not take. See the module docstring."""
    client = (client or get_client()).options(request_timeout=request_timeout)
    result = WriteResult()
    pending = ops
    attempt = 0
    while pending:
        try:
            response = client.bulk(
                operations=bulk_body(pending),
                index=index,
                require_alias=require_alias or None,
                refresh=refresh or None,
                filter_path=_FILTER_PATH,
            ).body
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            retry, reason = pending, exc
        else:
            if not response.get("errors"):
                result.indexed += len(pending)
                return result
            retry, reason = _sort_items(pending, response["items"], result, index)
        if not retry:
            return result
        attempt += 1
        if attempt > retries:
            cause = reason if isinstance(reason, BaseException) else None
            raise SearchUnavailable(
                f"{len(retry)} documents not written to {index!r}: {reason!r}"
            ) from cause
        time.sleep(backoff * 2 ** (attempt - 1))
        pending = retry
    return result


def _sort_items(ops, items, result: WriteResult, index: str):
    retry = []
    reason = None
    for op, item in zip(ops, items, strict=True):
        outcome = item["index"]
        status = outcome["status"]
        if status < 300:
            result.indexed += 1
        elif status == 409:
            result.stale += 1
        elif status == 429 or status >= 500:
            retry.append(op)
            reason = outcome.get("error")
        elif status == 404 and outcome.get("error", {}).get("type") == "index_not_found_exception":
            raise IndexMissing(f"{index!r} does not exist: {outcome['error'].get('reason')}")
        else:
            error = outcome.get("error", {})
            result.rejected[op.event_id or op.doc_id] = DocumentRejected(
                f"{error.get('type')}: {error.get('reason')}"
            )
    return retry, reason
