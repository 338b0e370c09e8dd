"""Rebuild the search index from the compacted `property-events` topic, with no downtime.

1. Capture the topic's end offsets, create a fresh concrete index (no refresh, no
   replicas, async translog: a bulk load) and replay the topic from the start up to
   those offsets with a throwaway consumer group that commits nothing. Messages are
   read in chunks; each chunk keeps only the newest version of each property and is
   written in `_bulk` requests of `bulk_size`, `parallel` of them in flight.
2. Catch up: events that arrived meanwhile (the live consumer wrote them to the old
   index through the alias) are replayed from the previous end offsets to the new
   ones, a few rounds, until a round is small.
3. Give the index its live settings (refresh 1 s, replicas), refresh, and move the
   alias in one atomic `_aliases` request (remove from the old index + add to the new).
   Searches and live writes go through the alias: before the swap they hit the old
   index, after it the new one, never neither.
4. Final catch-up from the last captured offsets to the end *after* the swap: anything
   the live consumer wrote to the old index between the last round and the swap is in
   Kafka before those offsets, so it reaches the new index too. Anything produced later
   is written by the live consumer through the alias, i.e. to the new index.
5. Availability: every document is built with the stored availability of its rooms
   (the availability table, one SELECT per chunk). Changes the availability consumer
   made meanwhile went to the old index through the alias (or landed in the table after
   a chunk read it), so after the swap the properties whose rows changed since the
   reindex began are rewritten from the table through the alias (`_mget` + `_bulk`).
6. After a grace period (searches already routed to the old index finish), delete the
   old index (or keep the `keep` newest former indices).

Applying an event twice, or an older one after a newer, changes nothing (external
versions, which include the availability versions), which is what makes the overlaps
between the phases harmless.
"""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings

from rentezy_common.events.envelope import InvalidEnvelope
from rentezy_common.events.kafka import kafka_config
from rentezy_common.search import alias_name
from rentezy_common.search.client import get_client
from rentezy_common.search.documents import InvalidSnapshot
from rentezy_common.search.indices import (
    alias_targets,
    create_index,
    delete_old_indices,
    make_live,
    new_index_name,
    swap_alias,
)
from rentezy_common.search.writer import (
    WriteResult,
    decode_snapshot_op,
    newest_per_document,
    write,
)

from .selectors import database_now, property_list_changed_since
from .services import availability_apply, merge_stored_availability

logger = logging.getLogger(__name__)

# Messages read per chunk before de-duplicating and writing: about 20 MB of snapshots.
CHUNK_SIZE = 10_000
# Documents per `_bulk` request: ~5 MB, inside the 5-15 MB Elasticsearch's docs suggest.
BULK_SIZE = 2500
# `_bulk` requests in flight. Each is indexed by its own Elasticsearch write thread (one
# in-memory segment each), so several keep both cores busy while this process builds the
# next ones. Measured on 100,000 listings (2 CPUs): 2 in flight of 1,000 documents gave
# 4,400-4,900 docs/s for the whole reindex, 4 of 2,500 gave 5,400-5,600.
PARALLEL = 4
CATCH_UP_ROUNDS = 5  # at most, before the swap
CATCH_UP_SMALL = 1000  # a round that replays fewer events than this ends the rounds
GRACE_SECONDS = 5.0  # before deleting the old index: let routed searches finish
STALL_SECONDS = 60.0  # no message for this long while offsets remain: give up
# A row is stamped when its upsert runs, which is a moment before it commits: rows
# stamped this long before the reindex began are re-applied too (harmless: versioned).
AVAILABILITY_MARGIN = timedelta(seconds=60)


class ReindexError(RuntimeError):
    pass


@dataclass
class ReindexResult:
    alias: str
    index: str
    previous: list[str]
    deleted: list[str] = field(default_factory=list)
    events: int = 0  # messages read from Kafka
    documents: int = 0  # index operations sent (newest per property and chunk)
    indexed: int = 0
    stale: int = 0  # already newer in the index (version conflicts)
    rejected: int = 0  # documents Elasticsearch refused
    skipped: int = 0  # not an envelope / invalid snapshot (they sit in the DLQ)
    with_availability: int = 0  # documents built with stored room availability
    availability_reapplied: int = 0  # documents rewritten after the swap (changed since)
    build_seconds: float = 0.0  # phase 1
    seconds: float = 0.0  # everything
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def docs_per_second(self) -> float:
        return self.events / self.build_seconds if self.build_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 1)}


class _Replayer:
    """Reads partitions of one topic between given offsets and bulk-writes them."""

    def __init__(self, *, topic, index, chunk_size, bulk_size, parallel, result, client):
        from confluent_kafka import Consumer

        self.topic = topic
        self.index = index
        self.chunk_size = chunk_size
        self.bulk_size = bulk_size
        self.result = result
        self.client = client
        self.pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="reindex-bulk")
        self.parallel = parallel
        self.in_flight: list[Future] = []
        self.consumer = Consumer(
            kafka_config(
                **{
                    # Its own group, never committed: the live consumer is untouched.
                    "group.id": f"{settings.SERVICE_NAME}.reindex-{uuid.uuid4().hex[:12]}",
                    "enable.auto.commit": False,
                    "enable.auto.offset.store": False,
                    "auto.offset.reset": "earliest",
                    "enable.partition.eof": False,
                }
            )
        )
        metadata = self.consumer.list_topics(topic, timeout=10).topics.get(topic)
        if metadata is None or metadata.error is not None:
            raise ReindexError(f"topic {topic!r} not found")
        self.partitions = sorted(metadata.partitions)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.consumer.close()

    def watermarks(self) -> dict[int, tuple[int, int]]:
        from confluent_kafka import TopicPartition

        return {
            p: self.consumer.get_watermark_offsets(
                TopicPartition(self.topic, p), timeout=10, cached=False
            )
            for p in self.partitions
        }

    def replay(self, start: dict[int, int], end: dict[int, int]) -> int:
        """Apply the messages at offsets [start, end) of each partition; returns how
        many were read. Waits until every write is acknowledged."""
        from confluent_kafka import TopicPartition

        remaining = {p: end[p] for p in self.partitions if start[p] < end[p]}
        if not remaining:
            return 0
        assignment = [TopicPartition(self.topic, p, start[p]) for p in sorted(remaining)]
        self.consumer.assign(assignment)
        # A partition paused when an earlier replay finished it stays paused across
        # assign(): resume explicitly.
        self.consumer.resume(assignment)
        read = 0
        last_progress = time.monotonic()
        try:
            while remaining:
                messages = self.consumer.consume(num_messages=self.chunk_size, timeout=1.0)
                chunk = []
                for message in messages:
                    if message.error():
                        logger.warning("reindex: kafka error %s", message.error())
                        continue
                    stop_at = remaining.get(message.partition())
                    if stop_at is not None and message.offset() < stop_at:
                        chunk.append(message)
                if chunk:
                    last_progress = time.monotonic()
                    read += len(chunk)
                    self._submit(chunk)
                # Done with a partition once its position passed the end offset
                # (compaction leaves gaps, so the message at end-1 may not exist).
                positions = self.consumer.position(
                    [TopicPartition(self.topic, p) for p in remaining]
                )
                for tp in positions:
                    if tp.offset >= remaining[tp.partition]:
                        del remaining[tp.partition]
                        self.consumer.pause([TopicPartition(self.topic, tp.partition)])
                if remaining and time.monotonic() - last_progress > STALL_SECONDS:
                    raise ReindexError(f"no progress for {STALL_SECONDS}s; left: {remaining}")
        finally:
            self.consumer.unassign()
        self._drain(0)
        return read

    def _submit(self, messages) -> None:
        ops = []
        for message in messages:
            try:
                op = decode_snapshot_op(message.value())
            except (InvalidEnvelope, InvalidSnapshot):
                self.result.skipped += 1
                continue
            if op is not None:
                ops.append(op)
        ops = newest_per_document(ops)
        # One SELECT per chunk (10,000 messages by default): a few milliseconds against
        # the ~2 s the chunk takes to build and index.
        self.result.with_availability += len(
            merge_stored_availability([op for op in ops if op.document.get("rooms")])
        )
        self.result.events += len(messages)
        self.result.documents += len(ops)
        for start in range(0, len(ops), self.bulk_size):
            self._drain(self.parallel - 1)  # bounded: at most `parallel` in flight
            self.in_flight.append(
                self.pool.submit(
                    write,
                    ops[start : start + self.bulk_size],
                    index=self.index,
                    client=self.client,
                    retries=6,
                    request_timeout=120.0,
                )
            )

    def _drain(self, keep: int) -> None:
        while len(self.in_flight) > keep:
            written: WriteResult = self.in_flight.pop(0).result()
            self.result.indexed += written.indexed
            self.result.stale += written.stale
            self.result.rejected += len(written.rejected)
            for reason in list(written.rejected.values())[:3]:
                logger.warning("reindex: document rejected: %s", reason)


def reindex(
    *,
    topic: str | None = None,
    alias: str | None = None,
    keep: int = 0,
    chunk_size: int = CHUNK_SIZE,
    bulk_size: int = BULK_SIZE,
    parallel: int = PARALLEL,
    catch_up_rounds: int = CATCH_UP_ROUNDS,
    grace_seconds: float = GRACE_SECONDS,
    on_phase: Callable[[str, ReindexResult], None] | None = None,
) -> ReindexResult:
    """Build a new index from `topic` and move `alias` to it; see the module docstring.

    `on_phase(name, result)` is called after each phase (`built`, `caught_up`,
    `swapped`, `done`): for logs, tests and benchmarks."""
    topic = topic or settings.SEARCH_PROPERTY_TOPIC
    alias = alias or alias_name()
    client = get_client()
    started = time.monotonic()
    previous = alias_targets(alias, client=client)
    index = new_index_name(alias)
    result = ReindexResult(alias=alias, index=index, previous=previous)

    def phase(name: str, since: float) -> float:
        now = time.monotonic()
        result.phases[name] = round(now - since, 3)
        logger.info("reindex: %s", name, extra={"reindex": result.as_dict()})
        if on_phase is not None:
            on_phase(name, result)
        return now

    replayer = _Replayer(
        topic=topic,
        index=index,
        chunk_size=chunk_size,
        bulk_size=bulk_size,
        parallel=parallel,
        result=result,
        client=client,
    )
    created = False
    # The bulk load allocates millions of short-lived, acyclic objects; the cyclic
    # garbage collector's passes over them cost about a third of the Python time.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        availability_since = database_now() - AVAILABILITY_MARGIN
        marks = replayer.watermarks()
        create_index(index, building=True, client=client)
        created = True
        t = time.monotonic()
        end = {p: high for p, (_low, high) in marks.items()}
        replayer.replay({p: low for p, (low, _high) in marks.items()}, end)
        result.build_seconds = time.monotonic() - t
        t = phase("built", t)

        for _ in range(catch_up_rounds):
            start, end = end, {p: high for p, (_low, high) in replayer.watermarks().items()}
            if replayer.replay(start, end) < CATCH_UP_SMALL:
                break
        make_live(index, client=client)
        t = phase("caught_up", t)

        if previous:
            swap_alias(index, expected=previous, alias=alias, client=client)
        else:
            client.indices.update_aliases(actions=[{"add": {"index": index, "alias": alias}}])
        t = phase("swapped", t)

        start, end = end, {p: high for p, (_low, high) in replayer.watermarks().items()}
        if replayer.replay(start, end):
            client.indices.refresh(index=index)
        t = phase("final_catch_up", t)

        # Availability that changed while the index was built (the live availability
        # consumer wrote it to the old index); from now on it writes to this one.
        changed = property_list_changed_since(availability_since)
        result.availability_reapplied = availability_apply(
            property_ids=changed, alias=alias
        ).indexed
        t = phase("availability", t)
    except BaseException:
        if created and index not in alias_targets(alias, client=client):
            client.indices.delete(index=index, ignore_unavailable=True)
        raise
    finally:
        replayer.close()
        if gc_was_enabled:
            gc.enable()

    if previous and grace_seconds:
        time.sleep(grace_seconds)
    result.deleted = delete_old_indices(keep=keep, alias=alias, client=client)
    result.seconds = round(time.monotonic() - started, 3)
    phase("done", t)
    return result
