"""Benchmark: outbox -> Kafka -> idempotent consumer, on this machine's real servers.

Prints and writes (bench/events/REPORT.md, results.json):
1. relay throughput: events/s to publish a backlog of N outbox rows to Kafka;
2. consumer throughput: events/s for an idempotent consumer (ledger insert + one UPDATE
   per event, batched transactions) reading that backlog;
3. end-to-end latency at a fixed rate: a writer commits one event per transaction at
   RATE/s; a relay process and a consumer process run as in production; latency is
   consumer handling time minus the event's occurred_at (both on this machine's clock).

Targets (issue #2): relay >= 5,000 events/s; consumer >= 1,000 events/s;
p99 <= 500 ms at 1,000 events/s. Machines here are noisy: runs repeat each throughput
measurement and report the median.

Usage: make bench   (or .venv/bin/python bench/events/run.py --events 50000 --rate 1000)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LIB = REPO / "libs" / "rentezy_common"
BENCH_DB = "rentezy_bench"
# One Python writer alone reaches ~940 single-event commits/s here; two share the load.
LATENCY_WRITERS = 2


def django_setup() -> None:
    sys.path.insert(0, str(LIB))
    os.environ.setdefault("RENTEZY_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.testproject.settings"
    port = os.environ.get("POSTGRES_PORT", "5432")
    os.environ["DATABASE_URL"] = f"postgres://rentezy:rentezy@127.0.0.1:{port}/{BENCH_DB}"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def create_database() -> None:
    import psycopg

    port = os.environ.get("POSTGRES_PORT", "5432")
    with psycopg.connect(
        f"postgresql://rentezy:rentezy@127.0.0.1:{port}/postgres", autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# -- 1. relay ---------------------------------------------------------------------------------
def fill_outbox(topic: str, count: int, aggregates: int) -> None:
    from django.db import transaction

    from rentezy_common.events.models import OutboxEvent

    now = datetime.now(UTC)
    rows = [
        OutboxEvent(
            event_id=uuid.uuid4(),
            topic=topic,
            event_type="bench.happened",
            aggregate_type="bench",
            aggregate_id=f"agg-{i % aggregates}",
            version=i // aggregates + 1,
            occurred_at=now,
            payload={"i": i, "note": "x" * 200},  # ~300-byte events
            trace={},
        )
        for i in range(count)
    ]
    with transaction.atomic():
        OutboxEvent.objects.bulk_create(rows, batch_size=5000)


def measure_relay(topic: str, count: int) -> float:
    from rentezy_common.events.outbox import OutboxRelay, outbox_lag

    relay = OutboxRelay()
    relay.connect()  # exclude connecting from the timing
    started = time.perf_counter()
    while relay.run_once():
        pass
    elapsed = time.perf_counter() - started
    relay.close()
    assert outbox_lag()["pending"] == 0, "relay left events behind"
    return count / elapsed


# -- 2. consumer ------------------------------------------------------------------------------
def measure_consumer(topic: str, count: int, handler: str) -> float:
    from rentezy_common.events.consumer import ConsumerRunner, ConsumerSpec

    spec = ConsumerSpec(
        name=f"bench-{uuid.uuid4().hex[:6]}", topics=[topic], handler=f"bench_handler.{handler}"
    )
    runner = ConsumerRunner(spec)
    first = {}
    original = runner.process

    def process(messages):
        first.setdefault("t", time.perf_counter())  # exclude group join from the timing
        original(messages)

    runner.process = process
    runner.run(max_messages=count)
    elapsed = time.perf_counter() - first["t"]
    assert runner.stats["handled"] == count, runner.stats
    return count / elapsed


# -- 3. latency at a fixed rate ------------------------------------------------------------
def relay_process(stop) -> None:
    django_setup()
    from rentezy_common.events.outbox import OutboxRelay

    OutboxRelay().run(stop)


def consumer_process(topic: str, expected: int, out: str) -> None:
    django_setup()
    import bench_handler

    from rentezy_common.events.consumer import ConsumerRunner, ConsumerSpec

    spec = ConsumerSpec(
        name=f"latency-{uuid.uuid4().hex[:6]}", topics=[topic], handler=bench_handler.record_latency
    )
    runner = ConsumerRunner(spec)
    # Split each event's latency at the Kafka message's CreateTime (set by the relay's
    # producer): outbox -> Kafka, and Kafka -> handled and committed.
    stages: list[tuple[float, float]] = []
    process = runner.process

    def timed_process(messages):
        process(messages)
        done = time.time()
        for message in messages:
            produced = message.timestamp()[1] / 1000
            occurred = json.loads(message.value())["occurred_at"]
            stages.append(
                (produced - datetime.fromisoformat(occurred).timestamp(), done - produced)
            )

    runner.process = timed_process
    timer = threading.Timer(120, runner.stop.set)
    timer.start()
    runner.run(max_messages=expected)
    timer.cancel()
    Path(out).write_text(json.dumps({"latencies": bench_handler.LATENCIES, "stages": stages}))


def writer_process(topic: str, offset: int, step: int, expected: int, rate: int, start: float):
    django_setup()
    from django.db import transaction

    from rentezy_common.events.outbox import publish_event

    for i in range(offset, expected, step):
        delay = start + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        with transaction.atomic():
            publish_event(
                topic=topic,
                event_type="bench.timed",
                aggregate_type="bench",
                aggregate_id=f"t-{i % 500}",
                payload={"i": i},
            )


def measure_latency(topic: str, rate: int, seconds: int) -> dict:
    expected = rate * seconds
    out = HERE / "latencies.tmp"
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    relay = ctx.Process(target=relay_process, args=(stop,))
    consumer = ctx.Process(target=consumer_process, args=(topic, expected, str(out)))
    consumer.start()
    relay.start()
    time.sleep(8)  # let the consumer join its group and the relay connect
    # Several writer processes, like several web workers: one event per transaction
    # each, together at `rate`/s, all on one schedule.
    writers = LATENCY_WRITERS
    started = time.time() + 2  # time for the writers to start and set Django up
    procs = [
        ctx.Process(target=writer_process, args=(topic, n, writers, expected, rate, started))
        for n in range(writers)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    finished = time.time()
    achieved = expected / (finished - started)
    consumer.join(150)
    stop.set()
    relay.join(30)
    measured = json.loads(out.read_text())
    out.unlink()
    latencies = measured["latencies"]
    to_kafka = [a for a, _ in measured["stages"]]
    from_kafka = [b for _, b in measured["stages"]]
    return {
        "target_rate": rate,
        "achieved_rate": round(achieved),
        "events": expected,
        "received": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "outbox_to_kafka_p50_p99_ms": [
            round(percentile(to_kafka, q) * 1000, 1) for q in (0.5, 0.99)
        ],
        "kafka_to_consumer_commit_p50_p99_ms": [
            round(percentile(from_kafka, q) * 1000, 1) for q in (0.5, 0.99)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    create_database()
    django_setup()
    from confluent_kafka.admin import AdminClient
    from django.core.management import call_command

    from rentezy_common.events.kafka import kafka_config
    from rentezy_common.events.topics import TopicSpec, ensure_topics

    call_command("migrate", run_syncdb=True, verbosity=0)
    admin = AdminClient(kafka_config())
    run_id = uuid.uuid4().hex[:8]

    relay_rates, consumer_rates, orm_rates = [], [], []
    for attempt in range(args.repeat):
        topic = f"bench-{run_id}-{attempt}"
        ensure_topics(admin, [TopicSpec(topic, 6)])
        fill_outbox(topic, args.events, aggregates=1000)
        relay_rates.append(measure_relay(topic, args.events))
        consumer_rates.append(measure_consumer(topic, args.events, "upsert"))
        orm_rates.append(measure_consumer(topic, args.events, "orm"))
        print(
            f"run {attempt + 1}: relay {relay_rates[-1]:,.0f} events/s, consumer "
            f"{consumer_rates[-1]:,.0f} events/s (SQL handler), {orm_rates[-1]:,.0f} (ORM handler)",
            flush=True,
        )
    latency_topic = f"bench-{run_id}-latency"
    ensure_topics(admin, [TopicSpec(latency_topic, 6)])
    latency = measure_latency(latency_topic, args.rate, args.seconds)
    topics = [f"bench-{run_id}-{i}" for i in range(args.repeat)] + [latency_topic]
    for future in admin.delete_topics(topics).values():
        future.result()

    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores",
        "events_per_run": args.events,
        "relay_events_per_s": {
            "median": round(statistics.median(relay_rates)),
            "runs": [round(r) for r in relay_rates],
        },
        "consumer_events_per_s": {
            "median": round(statistics.median(consumer_rates)),
            "runs": [round(r) for r in consumer_rates],
        },
        "consumer_orm_handler_events_per_s": {
            "median": round(statistics.median(orm_rates)),
            "runs": [round(r) for r in orm_rates],
        },
        "latency": latency,
        "targets": {
            "relay_events_per_s": 5000,
            "consumer_events_per_s": 1000,
            "p99_ms_at_1000_per_s": 500,
        },
    }
    relay_ok = results["relay_events_per_s"]["median"] >= 5000
    consumer_ok = results["consumer_events_per_s"]["median"] >= 1000
    latency_ok = latency["p99_ms"] <= 500 and latency["received"] == latency["events"]
    verdict = lambda ok: "meets target" if ok else "BELOW TARGET"  # noqa: E731

    def runs(key):
        return ", ".join(f"{r:,}" for r in results[key]["runs"])

    orm = results["consumer_orm_handler_events_per_s"]
    split = {
        "to": latency["outbox_to_kafka_p50_p99_ms"],
        "from": latency["kafka_to_consumer_commit_p50_p99_ms"],
    }
    report = f"""# Events benchmark (outbox -> Kafka -> idempotent consumer)

Run: {results["date"]} on {results["machine"]}; servers from scripts/infra.sh on loopback,
everything (load generator included) on the same 2 cores.
Command: `make bench` ({args.events:,} events per throughput run, {args.repeat} runs, medians).

| measure | result (median; runs) | target | |
|---|---|---|---|
| relay throughput | {results["relay_events_per_s"]["median"]:,} events/s ({runs("relay_events_per_s")}) | >= 5,000 events/s | {verdict(relay_ok)} |
| idempotent consumer, one-statement SQL handler | {results["consumer_events_per_s"]["median"]:,} events/s ({runs("consumer_events_per_s")}) | >= 1,000 events/s | {verdict(consumer_ok)} |
| idempotent consumer, Django ORM handler (for comparison) | {orm["median"]:,} events/s ({runs("consumer_orm_handler_events_per_s")}) | | |
| end-to-end latency at {latency["target_rate"]:,}/s (achieved {latency["achieved_rate"]:,}/s, {latency["received"]:,}/{latency["events"]:,} received) | p50 {latency["p50_ms"]} ms, p99 {latency["p99_ms"]} ms, max {latency["max_ms"]} ms | p99 <= 500 ms | {verdict(latency_ok)} |

- Relay: {args.events:,} pre-written rows published in batches of 1,000 (claim with
  `FOR UPDATE SKIP LOCKED`, envelope serialized by PostgreSQL, idempotent producer, one
  UPDATE marks the batch sent).
- Consumer: per batch of up to 200 events, one transaction: one ledger INSERT for all
  event ids, then the handler per event. The SQL handler is one upsert per event; the
  ORM handler does the same through `QuerySet.update()`, and its extra cost is Django's
  query compilation, not the runner's.
- Latency: {LATENCY_WRITERS} writer processes call `publish_event` with one event per committed
  transaction, together at the target rate; a relay process and a consumer process (SQL
  handler) run as in production; latency is from `occurred_at` to the consumer's commit.
  Split at the Kafka message's timestamp: outbox -> Kafka p50 {split["to"][0]} ms,
  p99 {split["to"][1]} ms; Kafka -> consumer commit p50 {split["from"][0]} ms, p99
  {split["from"][1]} ms.
"""
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "REPORT.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
