"""Search benchmark (issue #4): reindex throughput, write -> searchable freshness, and
query latency through search_service, against PostgreSQL full-text search on the same
data.

    make bench B=search     (or: .venv/bin/python bench/search/run.py [--listings 100000])

Real parts on loopback, all on this machine's shared cores:

1. Data: LISTINGS realistic listings (bench/search/data.py: real city and locality
   coordinates, per-city prices, the contract's amenity vocabulary, Faker text), built
   with the shared contract-shaped snapshot/envelope helpers and produced, keyed by
   property id, to a throwaway compacted topic: the real event path.
2. Reindex: search_consumer's `manage.py reindex` (its own Python) replays that topic into
   a fresh index behind a throwaway alias and swaps the alias; REINDEX_RUNS times, median
   docs/s. Target >= 5,000 docs/s.
3. Freshness: the `properties` consumer runs as its Procfile runs it (`manage.py
   run_consumer properties`, in a group of its own), caught up at the topic's end;
   FRESH new or updated listings are produced one at a time, 50-150 ms apart, while a
   poller searches the alias every 10 ms for them (the `searchable` filter every API
   search applies; the API reads the same alias); then each is looked up through
   search_service by a word only it has. Target p95 <= 2 s.
4. Query latency: QUERIES generated searches (text with occasional typos, point + radius,
   price / bedrooms / amenities / type / city / furnished / availability filters,
   facets always, every sort, some later pages), cycled round-robin:
   - through search_service (gunicorn as its Procfile runs it) by the Go load generator
     (bench/loadgen), signed per request like the gateway signs;
   - the same searches built by search_service's own code (property_search.search), in
     this process (no HTTP, no gunicorn): Elasticsearch alone, measured like PostgreSQL;
   - the equivalent SQL on PostgreSQL (bench/search/pg.py), psycopg, one connection per
     thread;
   at concurrency 1 and 32, REPS repetitions interleaved, SECONDS each after a 2 s warm-up;
   medians over the repetitions. Targets (search_service): p95 <= 50 ms at 1, <= 150 ms
   at 32. Before timing, every search runs once on both engines and their counts and
   first pages are compared (what is equivalent and what is not: REPORT.md).

Writes bench/search/REPORT.md and results.json; exits 1 if a target is missed. Cleans up
the topic, the consumer group and its dead-letter topic, the alias and its indices, and
the PostgreSQL database, also on failure.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchkit import build_loadgen, process_cpu  # noqa: E402 - bench/ is on the path now

REPO = HERE.parents[1]
PG_DATABASE = "rentezy_search_bench_pg"
CONCURRENCIES = (1, 32)
WARMUP_SECONDS = 2
POLL_INTERVAL = 0.01  # freshness poller
TARGETS = {
    "reindex_docs_per_s": 5000,
    "freshness_p95_s": 2.0,
    "api_p95_ms_c1": 50.0,
    "api_p95_ms_c32": 150.0,
}


# -- setup ------------------------------------------------------------------------------
def django_setup(alias: str, topic: str) -> None:
    """This process runs with search_service's settings (its search code and serializer
    are measured in-process too), pointed at the benchmark's alias."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(REPO / "search_service"))
    os.environ.setdefault("RENTEZY_ENV", "test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["SEARCH_INDEX_ALIAS"] = alias
    os.environ["SEARCH_PROPERTY_TOPIC"] = topic
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) // 2**20
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": memory,
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# -- 1. data on the event path -------------------------------------------------------------
def make_topic(admin, topic: str) -> None:
    from rentezy_common.events.topics import TOPICS, TopicSpec, ensure_topics

    production = TOPICS["property-events"]  # same partitions and compaction
    ensure_topics(admin, [TopicSpec(topic, production.partitions, dict(production.config))])


class Sink:
    """A producer keyed by property id, as the outbox relay produces (idempotent, acks=all)."""

    def __init__(self, topic: str, **overrides) -> None:
        from confluent_kafka import Producer

        from rentezy_common.events.kafka import producer_config

        self.topic = topic
        self.failed = 0
        self.producer = Producer(producer_config(**overrides))

    def _delivered(self, error, message) -> None:
        if error is not None:
            self.failed += 1

    def send(self, envelope) -> int:
        value = envelope.to_json()
        while True:
            try:
                self.producer.produce(
                    self.topic,
                    value=value,
                    key=envelope.aggregate_id.encode(),
                    on_delivery=self._delivered,
                )
                break
            except BufferError:
                self.producer.poll(0.05)
        self.producer.poll(0)
        return len(value)

    def flush(self) -> None:
        left = self.producer.flush(120)
        if left or self.failed:
            raise RuntimeError(f"kafka: {left} undelivered, {self.failed} failed")


def produce_listings(factory, topic: str, count: int) -> dict:
    """Generate `count` listings, produce their newest events, return what the other
    phases need: PostgreSQL rows (the same documents the index gets), published
    listings to update later, timings."""
    import pg

    from rentezy_common.search.documents import build_document
    from rentezy_common.search.testing import snapshot_envelope

    sink = Sink(
        topic,
        **{"queue.buffering.max.messages": 500_000, "queue.buffering.max.kbytes": 2_000_000},
    )
    rows, published, size = [], [], 0
    started = time.perf_counter()
    for i in range(count):
        status = factory.status()
        snapshot = factory.snapshot(status=status)
        version = factory.version()
        event_type = "property.updated" if status == "published" and version > 1 else None
        envelope = snapshot_envelope(snapshot, version=version, event_type=event_type)
        size += sink.send(envelope)
        document = build_document(snapshot, version=version, event_type=envelope.type)
        rows.append(pg.row(document))
        if document["searchable"] and i % 50 == 0:
            published.append((snapshot, version))  # to update during the freshness test
        if (i + 1) % 20_000 == 0:
            print(f"  ... {i + 1:,} listings", flush=True)
    generated = time.perf_counter() - started
    sink.flush()
    elapsed = time.perf_counter() - started
    return {
        "rows": rows,
        "published_sample": published,
        "searchable": sum(1 for r in rows if r[2]),
        "events": count,
        "megabytes": size / 2**20,
        "generate_and_send_s": generated,
        "total_s": elapsed,
    }


# -- 2. reindex -----------------------------------------------------------------------------
def run_reindex(topic: str, alias: str) -> dict:
    from rentezy_common.testing.processes import manage

    started = time.perf_counter()
    completed = manage(
        "search_consumer",
        "reindex",
        "--topic",
        topic,
        "--alias",
        alias,
        "--grace-seconds",
        "0",
        env={"SEARCH_INDEX_ALIAS": alias, "SEARCH_PROPERTY_TOPIC": topic, "LOG_LEVEL": "WARNING"},
    )
    wall = time.perf_counter() - started
    result = json.loads(completed.stdout[completed.stdout.index("{") :])
    result["wall_seconds"] = round(wall, 3)  # with the command's start-up
    result["overall_docs_per_second"] = round(result["events"] / result["seconds"], 1)
    return result


def searchable_count(alias: str) -> int:
    from rentezy_common.search.client import get_client

    client = get_client()
    client.indices.refresh(index=alias)
    return client.count(index=alias, query={"term": {"searchable": True}})["count"]


# -- 3. freshness ---------------------------------------------------------------------------
def commit_end_offsets(topic: str, group: str) -> None:
    """Start the consumer group at the topic's end: as a live consumer that has caught up."""
    from confluent_kafka import Consumer, TopicPartition

    from rentezy_common.events.kafka import kafka_config

    consumer = Consumer(kafka_config(**{"group.id": group, "enable.auto.commit": False}))
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        offsets = []
        for p in partitions:
            _low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            offsets.append(TopicPartition(topic, p, high))
        consumer.commit(offsets=offsets, asynchronous=False)
    finally:
        consumer.close()


class FreshnessPoller(threading.Thread):
    """Searches the alias every POLL_INTERVAL for the pending listings (id, at least
    version): `searchable` filter + ids, as the API's searches see the index."""

    def __init__(self, alias: str) -> None:
        super().__init__(daemon=True)
        from rentezy_common.search.client import get_client

        self.client = get_client()
        self.alias = alias
        self.lock = threading.Lock()
        self.pending: dict[str, tuple[int, float]] = {}  # id -> (version, written at)
        self.latencies: dict[str, float] = {}
        self.stop = threading.Event()
        self.polls = 0

    def expect(self, doc_id: str, version: int, written_at: float) -> None:
        with self.lock:
            self.pending[doc_id] = (version, written_at)

    def run(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                wanted = dict(self.pending)
            if wanted:
                response = self.client.search(
                    index=self.alias,
                    query={
                        "bool": {
                            "filter": [
                                {"term": {"searchable": True}},
                                {"ids": {"values": list(wanted)}},
                            ]
                        }
                    },
                    source=["version"],
                    size=len(wanted),
                )
                seen = time.time()
                self.polls += 1
                with self.lock:
                    for hit in response["hits"]["hits"]:
                        expected = wanted.get(hit["_id"])
                        if expected and hit["_source"]["version"] >= expected[0]:
                            self.latencies[hit["_id"]] = seen - expected[1]
                            self.pending.pop(hit["_id"], None)
            time.sleep(POLL_INTERVAL)

    def wait_empty(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.pending:
                    return True
            time.sleep(0.05)
        return False


def signed_get(base: str, path: str, params: dict[str, str]) -> dict:
    from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET
    from rentezy_common.gateway import sign_request

    query = urllib.parse.urlencode(params)
    headers = sign_request(
        secret=os.environ.get("GATEWAY_SIGNING_SECRET", DEV_GATEWAY_SIGNING_SECRET),
        method="GET",
        path=path,
        query=query,
        request_id=uuid.uuid4().hex,
    )
    request = urllib.request.Request(f"{base}{path}?{query}", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def measure_freshness(factory, topic, alias, group, published, count, api_url, rng) -> dict:
    from rentezy_common.search.testing import snapshot_envelope

    sink = Sink(topic)
    poller = FreshnessPoller(alias)
    poller.start()
    tokens = {}
    try:
        # A probe first: proves the consumer is assigned and writing (not timed).
        probe = factory.snapshot(title=f"Probe listing {group}")
        probe_at = time.time()
        sink.send(snapshot_envelope(probe, version=1))
        sink.flush()
        poller.expect(probe["id"], 1, probe_at)
        if not poller.wait_empty(90):
            raise RuntimeError("the consumer did not index the probe listing within 90 s")
        poller.latencies.clear()

        updates = rng.sample(published, min(len(published), count // 2))
        for i in range(count):
            token = f"fresh{i:04d}x{uuid.uuid4().hex[:6]}"  # digits: matched exactly
            if i % 2 and updates:
                snapshot, version = updates.pop()
                version += 1
                snapshot = {
                    **snapshot,
                    "title": f"{snapshot['title']} ref {token}",
                    "monthly_price": f"{int(float(snapshot['monthly_price']) * 1.05)}.00",
                }
                event_type = "property.updated"
            else:
                snapshot = factory.snapshot()
                snapshot["title"] += f" ref {token}"
                version, event_type = 1, None
            tokens[snapshot["id"]] = token
            written_at = time.time()
            sink.send(snapshot_envelope(snapshot, version=version, event_type=event_type))
            sink.flush()  # acknowledged by Kafka: the write is durable from here
            poller.expect(snapshot["id"], version, written_at)
            time.sleep(rng.uniform(0.05, 0.15))
        complete = poller.wait_empty(30)
    finally:
        poller.stop.set()
        poller.join(5)
    latencies = list(poller.latencies.values())
    found = 0
    for doc_id, token in tokens.items():
        body = signed_get(api_url, "/api/search/properties", {"q": token, "page_size": "5"})
        found += any(r["id"] == doc_id for r in body["results"])
    return {
        "events": count,
        "visible": len(latencies),
        "complete": complete,
        "p50_s": round(percentile(latencies, 0.5), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "p99_s": round(percentile(latencies, 0.99), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "min_s": round(min(latencies), 3) if latencies else None,
        "found_through_api": found,
        "polls": poller.polls,
    }


# -- 4. queries -----------------------------------------------------------------------------
def api_path() -> str:
    return "/api/search/properties"


def compare_engines(api_url: str, queries: list[dict], pg_conn) -> dict:
    """Run every search once through search_service and once on PostgreSQL: check the
    API answers 200, compare counts and first pages (also warms both up)."""
    import pg

    rows, mismatches = [], []
    for params in queries:
        es = signed_get(api_url, api_path(), params)
        parsed = pg.parse(params)
        answer = pg.search(pg_conn, parsed)
        es_ids = [r["id"] for r in es["results"]]
        pg_ids = [str(r["id"]) for r in answer["results"]]
        if es_ids != pg_ids and parsed["sort"] != "relevance" and len(mismatches) < 5:
            mismatches.append(
                {
                    "params": params,
                    "es": [
                        (r["id"], r["monthly_price"], r["published_at"], r.get("distance_km"))
                        for r in es["results"][:6]
                    ],
                    "pg": [
                        (str(r["id"]), r["monthly_price"], r["published_at"], r.get("distance_km"))
                        for r in answer["results"][:6]
                    ],
                }
            )
        rows.append(
            {
                "params": params,
                "text": bool(pg.query_terms(parsed["q"])),
                "sort": parsed["sort"],
                "es_count": es["count"],
                "pg_count": answer["count"],
                "same_page": es_ids == pg_ids,
                "overlap": len(set(es_ids) & set(pg_ids)) / max(1, len(set(es_ids) | set(pg_ids))),
                "es_cities": {f["value"]: f["count"] for f in es["facets"]["cities"]},
                "pg_cities": dict(answer["facets"]["cities"]),
                "es_prices": [b["count"] for b in es["facets"]["price_ranges"]],
                "pg_prices": answer["facets"]["price_ranges"],
            }
        )

    def summary(group):
        if not group:
            return {"queries": 0}
        same = sum(r["es_count"] == r["pg_count"] for r in group)
        deterministic = [r for r in group if r["sort"] != "relevance"]
        return {
            "queries": len(group),
            "zero_results_es": sum(r["es_count"] == 0 for r in group),
            "same_count": same,
            "same_facets": sum(
                r["es_cities"] == r["pg_cities"] and r["es_prices"] == r["pg_prices"] for r in group
            ),
            "median_count_es": statistics.median(r["es_count"] for r in group),
            "median_count_pg": statistics.median(r["pg_count"] for r in group),
            "median_abs_count_diff_pct": round(
                statistics.median(
                    abs(r["es_count"] - r["pg_count"]) / max(1, r["es_count"], r["pg_count"]) * 100
                    for r in group
                ),
                2,
            ),
            "deterministic_sort": len(deterministic),
            "same_first_page_deterministic_sort": sum(r["same_page"] for r in deterministic),
            "median_first_page_overlap_relevance": round(
                statistics.median(r["overlap"] for r in group if r["sort"] == "relevance"), 2
            )
            if any(r["sort"] == "relevance" for r in group)
            else None,
        }

    return {
        "filters_only": summary([r for r in rows if not r["text"]]),
        "with_text": summary([r for r in rows if r["text"]]),
        "page_mismatch_examples": mismatches,
        "per_search": [
            {"text": r["text"], "count": r["es_count"], "pg_count": r["pg_count"]} for r in rows
        ],
    }


def closed_loop(call, items: list, concurrency: int, seconds: float) -> dict:
    """`concurrency` threads call `call(item, worker)` back to back over `items`
    round-robin for WARMUP_SECONDS + `seconds`; latencies of the measured part."""
    counter = itertools.count()
    start = time.perf_counter()
    measure_from = start + WARMUP_SECONDS
    stop_at = measure_from + seconds
    latencies: list[float] = []
    errors: list[BaseException] = []
    calls = [0]
    lock = threading.Lock()

    def worker(index: int) -> None:
        local, failed, done = [], [], 0
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                break
            try:
                call(items[next(counter) % len(items)], index)
            except Exception as exc:
                failed.append(exc)
                continue
            done += 1
            if began >= measure_from:
                local.append(time.perf_counter() - began)
        with lock:
            latencies.extend(local)
            errors.extend(failed)
            calls[0] += done

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed calls, first: {errors[0]!r}")
    return {
        "requests": len(latencies),
        "calls": calls[0],  # warm-up included
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies) * 1000,
        "concurrency": concurrency,
    }


def loadgen_run(loadgen: Path, urls_file: str, concurrency: int, seconds: int) -> dict:
    from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET

    completed = subprocess.run(
        [str(loadgen), "-urls", urls_file, "-c", str(concurrency), "-d", f"{seconds}s",
         "-warmup", f"{WARMUP_SECONDS}s",
         "-sign-secret", os.environ.get("GATEWAY_SIGNING_SECRET", DEV_GATEWAY_SIGNING_SECRET)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result = json.loads(completed.stdout)
    if result["errors"] or result["non_2xx"]:
        raise RuntimeError(f"search_service failed requests under load: {result}")
    return result


def process_tree(pid: int) -> list[int]:
    """A process and its children (gunicorn: the master and its workers)."""
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                pids.append(int(stat.parent.name))
    return pids


def elasticsearch_cpu() -> float:
    from rentezy_common.search.client import get_client

    nodes = get_client().nodes.stats(metric="process")["nodes"].values()
    return sum(node["process"]["cpu"]["total_in_millis"] for node in nodes) / 1000


def own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def benchmark_client():
    """The shared client's settings (rentezy_common.search.client), with one connection
    per harness thread: in a service each gunicorn worker has its own client and at
    most 4 threads, so its pool of 16 never makes a search wait; 32 threads in one
    process would wait for a connection, and PostgreSQL gets 32 connections too."""
    from django.conf import settings
    from elasticsearch import Elasticsearch
    from elasticsearch.serializer import OrjsonSerializer

    return Elasticsearch(
        settings.ELASTICSEARCH_URL,
        serializer=OrjsonSerializer(),
        request_timeout=settings.SEARCH_REQUEST_TIMEOUT,
        connections_per_node=max(CONCURRENCIES),
        max_retries=1,
        retry_on_timeout=False,
    )


def measure_queries(args, loadgen, urls_file, queries, pg_url, service) -> list[dict]:
    import pg
    from property_search import engine
    from property_search.api.serializers import SearchParamsSerializer
    from property_search.search import property_search

    validated = []
    for params in queries:
        serializer = SearchParamsSerializer(data=params)
        serializer.is_valid(raise_exception=True)
        validated.append(serializer.validated_data)
    parsed = [pg.parse(params) for params in queries]
    connections = [pg.connect(pg_url) for _ in range(max(CONCURRENCIES))]
    backends = [conn.info.backend_pid for conn in connections]
    service_pids = process_tree(service.pid)
    client = benchmark_client()
    shared_get_client = engine.get_client
    engine.get_client = lambda: client

    def es_call(params, worker):
        property_search(params)

    def pg_call(params, worker):
        pg.search(connections[worker], params)

    def per_search(cpu_seconds: float, searches: float) -> float:
        return round(cpu_seconds / searches * 1000, 2) if searches else 0.0

    runs = []
    try:
        for rep in range(args.reps):
            for concurrency in CONCURRENCIES:
                svc0, es0 = process_cpu(service_pids), elasticsearch_cpu()
                cache0 = request_cache(client)
                api = loadgen_run(loadgen, urls_file, concurrency, args.seconds)
                cache1 = request_cache(client)
                api["request_cache"] = {k: cache1[k] - cache0[k] for k in cache0}
                # warm-up requests are served too: count them in the denominator
                served = api["rps"] * (args.seconds + WARMUP_SECONDS)
                api["cpu_ms_per_search"] = {
                    "search_service": per_search(process_cpu(service_pids) - svc0, served),
                    "elasticsearch": per_search(elasticsearch_cpu() - es0, served),
                }
                es0, own0 = elasticsearch_cpu(), own_cpu()
                es = closed_loop(es_call, validated, concurrency, args.seconds)
                es["cpu_ms_per_search"] = {
                    "elasticsearch": per_search(elasticsearch_cpu() - es0, es["calls"]),
                    "python_client": per_search(own_cpu() - own0, es["calls"]),
                }
                pg0, own0 = process_cpu(backends), own_cpu()
                sql = closed_loop(pg_call, parsed, concurrency, args.seconds)
                sql["cpu_ms_per_search"] = {
                    "postgres": per_search(process_cpu(backends) - pg0, sql["calls"]),
                    "python_client": per_search(own_cpu() - own0, sql["calls"]),
                }
                runs.append(
                    {"rep": rep, "concurrency": concurrency, "api": api, "es": es, "pg": sql}
                )
                print(
                    f"  c={concurrency:<2} rep {rep}: search_service {api['rps']:.0f} rps "
                    f"p50 {api['p50_ms']:.1f} p95 {api['p95_ms']:.1f} p99 {api['p99_ms']:.1f} ms"
                    f" | ES in-process {es['rps']:.0f} rps p50 {es['p50_ms']:.1f} "
                    f"p95 {es['p95_ms']:.1f} | PostgreSQL {sql['rps']:.0f} rps "
                    f"p50 {sql['p50_ms']:.1f} p95 {sql['p95_ms']:.1f} p99 {sql['p99_ms']:.1f} ms"
                    f" | CPU ms/search: service {api['cpu_ms_per_search']['search_service']}"
                    f" + ES {api['cpu_ms_per_search']['elasticsearch']}, ES alone "
                    f"{es['cpu_ms_per_search']['elasticsearch']}, PG "
                    f"{sql['cpu_ms_per_search']['postgres']}",
                    flush=True,
                )
    finally:
        engine.get_client = shared_get_client
        client.close()
        for conn in connections:
            conn.close()
    return runs


def request_cache(client) -> dict[str, int]:
    """Elasticsearch's shard request cache counters for the benchmark's index: facet
    requests (size 0) of searches that run alone are answered from it when repeated."""
    from rentezy_common.search import alias_name

    stats = client.indices.stats(index=alias_name(), metric="request_cache")
    total = stats["_all"]["total"]["request_cache"]
    return {"hits": total["hit_count"], "misses": total["miss_count"]}


def query_summary(runs: list[dict]) -> dict:
    summary = {}
    for concurrency in CONCURRENCIES:
        group = [r for r in runs if r["concurrency"] == concurrency]
        entry = {}
        for side in ("api", "es", "pg"):
            for key in ("rps", "p50_ms", "p95_ms", "p99_ms"):
                entry[f"{side}_{key}"] = round(statistics.median(r[side][key] for r in group), 2)
        for side in ("api", "es", "pg"):
            for part in group[0][side]["cpu_ms_per_search"]:
                entry[f"{side}_cpu_ms_{part}"] = round(
                    statistics.median(r[side]["cpu_ms_per_search"][part] for r in group), 2
                )
        for side in ("api", "es"):
            for key in ("p50_ms", "p95_ms", "p99_ms"):
                entry[f"{side}_pg_ratio_{key[:3]}"] = round(
                    statistics.median(r[side][key] / r["pg"][key] for r in group), 3
                )
        hits = sum(r["api"].get("request_cache", {}).get("hits", 0) for r in group)
        misses = sum(r["api"].get("request_cache", {}).get("misses", 0) for r in group)
        entry["api_request_cache_hits"], entry["api_request_cache_misses"] = hits, misses
        summary[f"c{concurrency}"] = entry
    return summary


def _walk_set(node, key: str, value) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                node[k] = value
            else:
                _walk_set(v, key, value)
    elif isinstance(node, list):
        for item in node:
            _walk_set(item, key, value)


def _without_should(body: dict) -> dict:
    query = body.get("query", {}).get("bool", {})
    if "must" in query:  # the text query: keep what must match, drop score boosts
        query.pop("should", None)
    return body


BREAKDOWN = {
    "as sent": lambda b: b,
    "without facets (aggs)": lambda b: (b.pop("aggs", None), b)[1],
    "without fuzziness": lambda b: (_walk_set(b, "fuzziness", 0), b)[1],
    "without score-boost clauses (cross_fields, phrase)": _without_should,
    "without highlight": lambda b: (b.pop("highlight", None), b)[1],
    "without exact total (track_total_hits)": lambda b: (b.update(track_total_hits=False), b)[1],
    "none of these": lambda b: _without_should(
        (b.pop("aggs", None), b.pop("highlight", None), _walk_set(b, "fuzziness", 0),
         b.update(track_total_hits=False), b)[-1]
    ),
}  # fmt: skip


def es_breakdown(queries: list[dict], alias: str, limit: int) -> dict:
    """Where Elasticsearch's time goes: the request bodies search_service's query.py
    builds, replayed one at a time as sent and without one feature each; the mean of
    Elasticsearch's own `took` (ms) per search, variants interleaved per search."""
    import copy

    from property_search.api.serializers import SearchParamsSerializer
    from property_search.search import property_search

    from rentezy_common.search.client import get_client

    client = get_client()
    bodies = []
    original = client.search

    def capture(*, index, **body):
        bodies.append(copy.deepcopy(body))
        return original(index=index, **body)

    client.search = capture
    # One request per search (hits and facets together): Elasticsearch's whole work for
    # a search, whether or not search_service would split it.
    from django.conf import settings

    parallel, settings.SEARCH_PARALLEL_FACETS = settings.SEARCH_PARALLEL_FACETS, False
    try:
        for params in queries[:limit]:
            serializer = SearchParamsSerializer(data=params)
            serializer.is_valid(raise_exception=True)
            property_search(serializer.validated_data)
    finally:
        settings.SEARCH_PARALLEL_FACETS = parallel
        del client.search  # the client's own method again
    took: dict[str, list[int]] = {name: [] for name in BREAKDOWN}
    present = {
        "without highlight": sum("highlight" in b for b in bodies),
        "without facets (aggs)": sum("aggs" in b for b in bodies),
    }
    wall = []  # "as sent", from this process: request, Elasticsearch, parsing the answer
    for body in bodies:
        for name, change in BREAKDOWN.items():
            changed = change(copy.deepcopy(body))
            began = time.perf_counter()
            took[name].append(client.search(index=alias, **changed)["took"])
            if name == "as sent":
                wall.append((time.perf_counter() - began) * 1000)
    base = statistics.mean(took["as sent"])
    return {
        "searches": len(bodies),
        "as_sent_wall_ms": [round(x, 2) for x in wall],
        "bodies_with": present,
        "took_mean_ms": {name: round(statistics.mean(v), 2) for name, v in took.items()},
        "share_of_as_sent": {
            name: round(statistics.mean(v) / base, 3) if base else None for name, v in took.items()
        },
    }


def by_kind(per_search: list[dict], es_ms: list[float], pg_ms: list[float]) -> list[dict]:
    """Serial latency of the same searches on both engines, by kind of search."""
    kinds = [
        ("filters only, >= 5,000 results", lambda r: not r["text"] and r["count"] >= 5000),
        ("filters only, < 5,000 results", lambda r: not r["text"] and r["count"] < 5000),
        ("text, >= 5,000 results", lambda r: r["text"] and r["count"] >= 5000),
        ("text, < 5,000 results", lambda r: r["text"] and r["count"] < 5000),
    ]
    out = []
    for name, test in kinds:
        picked = [i for i, r in enumerate(per_search[: len(es_ms)]) if test(r)]
        if not picked:
            continue
        es = [es_ms[i] for i in picked]
        sql = [pg_ms[i] for i in picked]
        out.append(
            {
                "kind": name,
                "searches": len(picked),
                "es_p50_ms": round(percentile(es, 0.5), 1),
                "es_p95_ms": round(percentile(es, 0.95), 1),
                "pg_p50_ms": round(percentile(sql, 0.5), 1),
                "pg_p95_ms": round(percentile(sql, 0.95), 1),
            }
        )
    return out


def pg_serial(queries: list[dict], pg_url: str) -> list[float]:
    import pg

    with pg.connect(pg_url) as conn:
        times = []
        for params in queries:
            parsed = pg.parse(params)
            began = time.perf_counter()
            pg.search(conn, parsed)
            times.append((time.perf_counter() - began) * 1000)
    return times


# -- cleanup --------------------------------------------------------------------------------
def cleanup(admin, topics: list[str], group: str, alias: str) -> list[str]:
    problems = []
    existing = set(admin.list_topics(timeout=10).topics)
    doomed = [t for t in topics if t in existing]
    if doomed:
        for name, future in admin.delete_topics(doomed, operation_timeout=30).items():
            try:
                future.result()
            except Exception as exc:
                problems.append(f"topic {name}: {exc}")
    with contextlib.suppress(Exception):  # absent if the consumer never started
        for future in admin.delete_consumer_groups([group], request_timeout=10).values():
            future.result()
    try:
        from rentezy_common.search.testing import drop_alias

        drop_alias(alias)
    except Exception as exc:
        problems.append(f"alias {alias}: {exc}")
    try:
        import psycopg

        from rentezy_common.testing.processes import postgres_url

        with psycopg.connect(postgres_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    except Exception as exc:
        problems.append(f"database {PG_DATABASE}: {exc}")
    return problems


# -- main -----------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--reindex-runs", type=int, default=3)
    parser.add_argument("--fresh", type=int, default=200, help="listings timed for freshness")
    parser.add_argument("--queries", type=int, default=300, help="distinct searches")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8, help="per latency measurement")
    parser.add_argument("--breakdown", type=int, default=150, help="searches replayed in 7.")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite REPORT.md from results.json"
    )
    args = parser.parse_args()
    if args.report_only:
        write_report(json.loads((HERE / "results.json").read_text()))
        return 0

    run_id = uuid.uuid4().hex[:10]
    topic = f"bench-search-{run_id}"
    alias = f"bench-search-{run_id}"
    group = f"search_consumer.bench-{run_id}"
    dead_letters = f"{group}.dlq"
    django_setup(alias, topic)

    import data
    import pg
    from confluent_kafka.admin import AdminClient

    from rentezy_common.events.kafka import kafka_config
    from rentezy_common.search.client import get_client
    from rentezy_common.testing.processes import ServiceProcess, fresh_database, migrate

    began = time.perf_counter()
    results: dict = {
        "machine": machine(),
        "settings": {
            "listings": args.listings,
            "reindex_runs": args.reindex_runs,
            "fresh": args.fresh,
            "queries": args.queries,
            "reps": args.reps,
            "seconds": args.seconds,
            "warmup_seconds": WARMUP_SECONDS,
            "concurrencies": list(CONCURRENCIES),
            "breakdown": args.breakdown,
            "seed": args.seed,
        },
        "targets": TARGETS,
    }
    loadgen = build_loadgen()
    admin = AdminClient(kafka_config())
    processes: list = []
    urls_file = None
    rng = random.Random(args.seed)
    try:
        client = get_client()
        # (GET / is not routed by this distribution; the nodes API says the same.)
        node = next(iter(client.nodes.info(metric="jvm")["nodes"].values()))
        results["machine"]["elasticsearch"] = node["version"]
        results["machine"]["elasticsearch_heap_mb"] = (
            node["jvm"]["mem"]["heap_max_in_bytes"] // 2**20
        )

        print(f"1. {args.listings:,} listings -> topic {topic}", flush=True)
        make_topic(admin, topic)
        factory = data.ListingFactory(seed=args.seed)
        produced = produce_listings(factory, topic, args.listings)
        results["data"] = {
            k: v for k, v in produced.items() if k not in ("rows", "published_sample")
        }
        print(
            f"   {produced['events']:,} events ({produced['megabytes']:.0f} MB, "
            f"{produced['searchable']:,} published) generated and produced in "
            f"{produced['total_s']:.1f} s",
            flush=True,
        )

        print(f"2. reindex into alias {alias} ({args.reindex_runs} runs)", flush=True)
        # The reindex and the consumer read search_consumer's availability table.
        migrate("search_consumer")
        reindexes = []
        for _ in range(args.reindex_runs):
            result = run_reindex(topic, alias)
            reindexes.append(result)
            print(
                f"   {result['events']:,} events: build {result['docs_per_second']:,.0f} docs/s "
                f"({result['build_seconds']:.1f} s); whole reindex incl. refresh and swap "
                f"{result['overall_docs_per_second']:,.0f} docs/s ({result['seconds']:.1f} s); "
                f"indexed {result['indexed']:,}, rejected {result['rejected']}, "
                f"skipped {result['skipped']}",
                flush=True,
            )
        count = searchable_count(alias)
        if count != produced["searchable"]:
            raise RuntimeError(
                f"index has {count} searchable listings, expected {produced['searchable']}"
            )
        stats = client.indices.stats(index=alias, metric="store")["_all"]["primaries"]
        results["reindex"] = {
            "runs": reindexes,
            "median_docs_per_s": round(
                statistics.median(r["overall_docs_per_second"] for r in reindexes)
            ),
            "median_build_docs_per_s": round(
                statistics.median(r["docs_per_second"] for r in reindexes)
            ),
            "searchable_in_index": count,
            "index_mb": round(stats["store"]["size_in_bytes"] / 2**20, 1),
        }

        print(f"3. PostgreSQL: {PG_DATABASE}", flush=True)
        pg_url = fresh_database(PG_DATABASE)
        loaded = pg.load(pg_url, produced["rows"])
        del produced["rows"]
        results["postgres"] = {k: round(v, 2) for k, v in loaded.items()}
        results["postgres"]["trigram_threshold"] = pg.TRIGRAM_THRESHOLD
        with pg.connect(pg_url) as conn:
            results["postgres"]["version"] = conn.execute("SHOW server_version").fetchone()[0]
            for name in ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather"):
                results["postgres"][name] = conn.execute(f"SHOW {name}").fetchone()[0]
        print(
            f"   COPY {loaded['copy_s']:.1f} s, indexes + vocabulary {loaded['index_s']:.1f} s, "
            f"{loaded['table_mb']:.0f} MB, {loaded['words']:,} distinct words",
            flush=True,
        )

        search = ServiceProcess.gunicorn(
            "search_service", env={"SEARCH_INDEX_ALIAS": alias}, name="search-bench"
        ).start()
        processes.append(search)
        queries = data.make_queries(args.queries, seed=args.seed + 7)
        print(f"4. {len(queries)} searches: each once on both engines (equivalence)", flush=True)
        with pg.connect(pg_url) as conn:
            equivalence = compare_engines(search.url, queries, conn)
        results["equivalence"] = equivalence
        for name in ("filters_only", "with_text"):
            print(f"   {name}: {json.dumps(equivalence[name])}", flush=True)

        print(f"5. freshness: {args.fresh} writes, consumer group {group}", flush=True)
        commit_end_offsets(topic, group)
        consumer = ServiceProcess.python(
            "search_consumer",
            "manage.py",
            "run_consumer",
            "properties",
            env={
                "SEARCH_INDEX_ALIAS": alias,
                "SEARCH_PROPERTY_TOPIC": topic,
                "SEARCH_CONSUMER_GROUP": group,
                "LOG_LEVEL": "WARNING",
            },
            ready_path=None,
            name="search-consumer-bench",
        ).start()
        processes.append(consumer)
        freshness = measure_freshness(
            factory, topic, alias, group, produced["published_sample"], args.fresh, search.url, rng
        )
        consumer.stop()
        results["freshness"] = freshness
        print(
            f"   visible {freshness['visible']}/{freshness['events']}: p50 {freshness['p50_s']} s, "
            f"p95 {freshness['p95_s']} s, max {freshness['max_s']} s; found through "
            f"search_service {freshness['found_through_api']}/{freshness['events']}",
            flush=True,
        )

        print(
            f"6. query latency: {args.reps} reps x concurrency {CONCURRENCIES}, "
            f"{args.seconds} s each",
            flush=True,
        )
        handle, urls_file = tempfile.mkstemp(prefix="search-bench-urls-", suffix=".txt")
        with os.fdopen(handle, "w") as out:
            for params in queries:
                out.write(f"{search.url}{api_path()}?{urllib.parse.urlencode(params)}\n")
        runs = measure_queries(args, loadgen, urls_file, queries, pg_url, search)
        results["query_runs"] = runs
        results["queries"] = query_summary(runs)
        results["query_sample"] = [
            f"{api_path()}?{urllib.parse.urlencode(params)}" for params in queries[:12]
        ]

        print("7. where Elasticsearch's time goes (serial, ES `took`)", flush=True)
        breakdown = es_breakdown(queries, alias, limit=args.breakdown)
        results["es_breakdown"] = breakdown
        for name, value in breakdown["took_mean_ms"].items():
            print(f"   {name}: {value} ms", flush=True)
        print("8. the same searches one at a time on both engines, by kind", flush=True)
        kinds = by_kind(
            equivalence["per_search"],
            breakdown["as_sent_wall_ms"],
            pg_serial(queries[: args.breakdown], pg_url),
        )
        results["by_kind"] = kinds
        for kind in kinds:
            print(f"   {json.dumps(kind)}", flush=True)
    finally:
        for process in reversed(processes):
            process.stop()
        if urls_file:
            with contextlib.suppress(OSError):
                os.unlink(urls_file)
        problems = cleanup(admin, [topic, dead_letters], group, alias)
        for problem in problems:
            print(f"cleanup: {problem}", file=sys.stderr)

    q = results["queries"]
    met = {
        "reindex_docs_per_s": results["reindex"]["median_docs_per_s"]
        >= TARGETS["reindex_docs_per_s"],
        "freshness_p95_s": results["freshness"]["complete"]
        and results["freshness"]["p95_s"] <= TARGETS["freshness_p95_s"],
        "api_p95_ms_c1": q["c1"]["api_p95_ms"] <= TARGETS["api_p95_ms_c1"],
        "api_p95_ms_c32": q["c32"]["api_p95_ms"] <= TARGETS["api_p95_ms_c32"],
    }
    results["met"] = met
    results["seconds_total"] = round(time.perf_counter() - began, 1)
    results["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results["command"] = " ".join(["bench/search/run.py", *sys.argv[1:]])
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    write_report(results)
    print(json.dumps({"queries": q, "met": met, "seconds": results["seconds_total"]}, indent=2))
    return 0 if all(met.values()) else 1


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def write_report(results: dict) -> None:
    m, s, r, f, q = (
        results["machine"],
        results["settings"],
        results["reindex"],
        results["freshness"],
        results["queries"],
    )
    pgs, data_, eq, met = (
        results["postgres"],
        results["data"],
        results["equivalence"],
        results["met"],
    )
    runs = ", ".join(f"{x['overall_docs_per_second']:,.0f}" for x in r["runs"])
    builds = ", ".join(f"{x['docs_per_second']:,.0f}" for x in r["runs"])
    rows = []
    for c in CONCURRENCIES:
        e = q[f"c{c}"]
        rows.append(
            f"| {c} | search_service (HTTP, gunicorn) | {e['api_rps']:.0f} | {e['api_p50_ms']:.1f} "
            f"| {e['api_p95_ms']:.1f} | {e['api_p99_ms']:.1f} | {e['api_pg_ratio_p50']:.2f} "
            f"| {e['api_pg_ratio_p95']:.2f} | {e['api_cpu_ms_search_service']:.1f} service + "
            f"{e['api_cpu_ms_elasticsearch']:.1f} ES |"
        )
        rows.append(
            f"| {c} | Elasticsearch, the service's query code in-process | {e['es_rps']:.0f} "
            f"| {e['es_p50_ms']:.1f} | {e['es_p95_ms']:.1f} | {e['es_p99_ms']:.1f} "
            f"| {e['es_pg_ratio_p50']:.2f} | {e['es_pg_ratio_p95']:.2f} "
            f"| {e['es_cpu_ms_elasticsearch']:.1f} ES (+ {e['es_cpu_ms_python_client']:.1f} client) |"
        )
        rows.append(
            f"| {c} | PostgreSQL, equivalent SQL | {e['pg_rps']:.0f} | {e['pg_p50_ms']:.1f} "
            f"| {e['pg_p95_ms']:.1f} | {e['pg_p99_ms']:.1f} | 1 | 1 "
            f"| {e['pg_cpu_ms_postgres']:.1f} PG (+ {e['pg_cpu_ms_python_client']:.1f} client) |"
        )
    c32 = q[f"c{max(CONCURRENCIES)}"]
    cpu_per_search = c32["api_cpu_ms_search_service"] + c32["api_cpu_ms_elasticsearch"]
    ceiling = (m["cpus"] or 1) * 1000 / cpu_per_search if cpu_per_search else 0
    little = max(CONCURRENCIES) / c32["api_rps"] * 1000 if c32["api_rps"] else 0

    def eq_line(name, e):
        if not e.get("queries"):
            return f"| {name} | 0 | | | | |"
        return (
            f"| {name} | {e['queries']} | {e['same_count']} | {e['same_facets']} "
            f"| {e['same_first_page_deterministic_sort']}/{e['deterministic_sort']} "
            f"| {e['median_abs_count_diff_pct']}% |"
        )

    sample = "\n".join(f"    {u}" for u in results["query_sample"])
    b = results["es_breakdown"]
    breakdown_rows = []
    for name, value in b["took_mean_ms"].items():
        absent = b["bodies_with"].get(name) == 0
        share = "n/a: not in the requests" if absent else f"{b['share_of_as_sent'][name]:.2f}"
        breakdown_rows.append(f"| {name} | {value} | {share} |")
    kind_rows = [
        f"| {k['kind']} | {k['searches']} | {k['es_p50_ms']} | {k['es_p95_ms']} "
        f"| {k['pg_p50_ms']} | {k['pg_p95_ms']} |"
        for k in results["by_kind"]
    ]
    kinds = results["by_kind"]
    widest = max(kinds, key=lambda k: k["pg_p50_ms"] / max(k["es_p50_ms"], 0.1))
    closest = min(kinds, key=lambda k: k["pg_p50_ms"] / max(k["es_p50_ms"], 0.1))
    c1 = q["c1"]
    broad_note = (
        ": counting facets exactly over many matching rows is what PostgreSQL pays for"
        if ">=" in widest["kind"]
        else ""
    )
    summary = f"""- Reindex {r["median_docs_per_s"]:,} docs/s (median of {len(r["runs"])}); write → searchable
  p95 {f["p95_s"]} s (the 1 s refresh interval is most of it).
- One search at a time through search_service: p50 {c1["api_p50_ms"]:.0f} ms, p95
  {c1["api_p95_ms"]:.0f} ms. The equivalent SQL on PostgreSQL: p50 {c1["pg_p50_ms"]:.0f} ms, p95
  {c1["pg_p95_ms"]:.0f} ms (search_service ÷ PostgreSQL: {c1["api_pg_ratio_p50"]:.2f} at p50,
  {c1["api_pg_ratio_p95"]:.2f} at p95).
- {max(CONCURRENCIES)} searches at a time: every system is CPU-bound on these {m["cpus"]} cores;
  search_service {c32["api_rps"]:.0f} searches/s (p95 {c32["api_p95_ms"]:.0f} ms), PostgreSQL
  {c32["pg_rps"]:.0f}/s (p95 {c32["pg_p95_ms"]:.0f} ms). CPU per search: search_service
  {c32["api_cpu_ms_search_service"]:.0f} ms + Elasticsearch {c32["api_cpu_ms_elasticsearch"]:.0f} ms;
  PostgreSQL {c32["pg_cpu_ms_postgres"]:.0f} ms.
- A search running alone in its search_service process sends its facets as a second,
  parallel request (size 0), which Elasticsearch's request cache keeps until the index
  changes; this benchmark cycles through {s["queries"]} distinct searches, so repeats
  hit it: at concurrency 1, {c1.get("api_request_cache_hits", 0)} request-cache hits and
  {c1.get("api_request_cache_misses", 0)} misses over the runs; at {max(CONCURRENCIES)}
  (searches seldom run alone there, so mostly one uncacheable request with both)
  {c32.get("api_request_cache_hits", 0)} hits and {c32.get("api_request_cache_misses", 0)} misses.
- By kind (one at a time): the widest gap is "{widest["kind"]}" (ES p50 {widest["es_p50_ms"]} ms,
  PostgreSQL {widest["pg_p50_ms"]} ms), the narrowest "{closest["kind"]}" (ES {closest["es_p50_ms"]}
  ms, PostgreSQL {closest["pg_p50_ms"]} ms){broad_note}.
- Elasticsearch's own time per search (`took`, serial): without the facet aggregations
  {b["share_of_as_sent"]["without facets (aggs)"]:.2f} of it, without fuzziness
  {b["share_of_as_sent"]["without fuzziness"]:.2f}, without facets, fuzziness, score
  boosts and the exact total {b["share_of_as_sent"]["none of these"]:.2f}."""
    text = f"""# Search benchmark

`{results["command"]}` ({results["seconds_total"]:.0f} s) on {m["cpus"]} CPUs ({m["cpu_model"]}),
{m["memory_gib"]} GiB, {results["finished_at"]}. Elasticsearch {m["elasticsearch"]} (one node,
{m["elasticsearch_heap_mb"]} MB heap), PostgreSQL {pgs["version"]} (shared_buffers
{pgs["shared_buffers"]}; per benchmark connection work_mem {pgs["work_mem"]}, jit {pgs["jit"]}),
Kafka, the services and the load generators all share these cores, on loopback (load
average at start {m["loadavg_at_start"]}). Figures are noisy: the report quotes medians over repetitions and
ratios measured side by side, not capacity.

## Summary

{summary}

## Targets

| target | goal | result | met |
|---|---|---|---|
| full reindex throughput (median of {len(r["runs"])}) | ≥ 5,000 docs/s | {r["median_docs_per_s"]:,} docs/s | {yes(met["reindex_docs_per_s"])} |
| write → searchable, p95 ({f["events"]} writes) | ≤ 2 s | {f["p95_s"]} s | {yes(met["freshness_p95_s"])} |
| search p95 through search_service, concurrency 1 | ≤ 50 ms | {q["c1"]["api_p95_ms"]:.1f} ms | {yes(met["api_p95_ms_c1"])} |
| search p95 through search_service, concurrency 32 | ≤ 150 ms | {c32["api_p95_ms"]:.1f} ms | {yes(met["api_p95_ms_c32"])} |

## Data on the event path

{data_["events"]:,} listings ({data_["searchable"]:,} published; the rest drafts, archived and
deleted, indexed as tombstones), generated by `bench/search/data.py` with the shared
`property_snapshot()` / `snapshot_envelope()` helpers: 25 real cities (21 Indian, London,
Dubai, Singapore, New York), 4-12 real localities each placed within ~6 km of the centre,
listings within ~2 km of their locality; prices per city, locality, type, bedrooms and
furnishing; amenities from the contract's vocabulary; Faker addresses and text; event
versions 1-6. Produced keyed by property id to a throwaway compacted topic with
property-events' partitions and compaction ({data_["megabytes"]:.0f} MB of envelopes in
{data_["total_s"]:.1f} s).

## Reindex

search_consumer's `manage.py reindex --topic … --alias … --grace-seconds 0` in its own
environment, {len(r["runs"])} runs, each a fresh index swapped in under the alias. Whole
reindex = events / the command's own `seconds` (replay, bulk writes, catch-up, live
settings + refresh, swap, deleting the former index; not Python start-up): {runs} docs/s.
Build phase alone (replay + bulk load): {builds} docs/s, median {r["median_build_docs_per_s"]:,}.
Index: {r["searchable_in_index"]:,} searchable documents, {r["index_mb"]} MB (primary store).

## Freshness (write → searchable)

The `properties` consumer runs as its Procfile runs it (`manage.py run_consumer
properties`, search_consumer's own Python), in a consumer group of its own
(`SEARCH_CONSUMER_GROUP`, so the benchmark never joins the group of a `make up`
consumer), starting at the topic's end like a caught-up consumer. {f["events"]} listings, half new and half updates of
existing ones (version + 1), produced one at a time 50-150 ms apart; from just before
the produce call (acknowledged by Kafka) until a search of the alias (`searchable`
filter, the listing's id and at least its new version; polled every {POLL_INTERVAL * 1000:.0f} ms)
returns it: p50 {f["p50_s"]} s, p95 {f["p95_s"]} s, p99 {f["p99_s"]} s, min {f["min_s"]} s,
max {f["max_s"]} s; {f["visible"]}/{f["events"]} became visible. Afterwards each was
looked up through search_service by a word only it has: {f["found_through_api"]}/{f["events"]} found.
The index refreshes every second (`LIVE_REFRESH_INTERVAL`), which is most of this time.
Not included: property_service's outbox relay before Kafka (bench/events: p50 ~36 ms).

## Query latency

{s["queries"]} generated searches cycled round-robin (text in 70%, a quarter of those with a
typo; point + radius in 45%; price, bedrooms, amenities, type, city, furnished,
availability and move-in filters; facets always; every sort; some pages 2-5; page size
10/20/50). For example:

{sample}

Closed loop, {s["seconds"]} s measured after {s["warmup_seconds"]} s warm-up per run,
{s["reps"]} repetitions interleaved; medians over the repetitions (ratios: median of the
per-repetition ratios, below 1 = faster than PostgreSQL). CPU ms per search: CPU time of
the serving processes during the run divided by the searches served (Elasticsearch's is
the node's, so it includes whatever else used it meanwhile).

| conc. | system | rps | p50 ms | p95 ms | p99 ms | ÷ PG p50 | ÷ PG p95 | CPU ms per search |
|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

- search_service: gunicorn as its Procfile runs it (2 workers x 4 threads), requests
  signed per request like the gateway signs (`bench/loadgen -urls`, Go, keep-alive).
- Elasticsearch in-process: the service's own `property_search.search.property_search()` on the
  validated parameters, from Python threads in the benchmark process, with a client
  configured like the shared one but with one connection per thread: Elasticsearch plus
  query building and response shaping, without HTTP, Django and gunicorn — measured
  exactly like PostgreSQL.
- PostgreSQL: `bench/search/pg.py`, psycopg, one connection per thread; one typo
  expansion round trip (text queries) + one statement per search.

At concurrency {max(CONCURRENCIES)} the machine is the limit, not waiting: a search through
search_service costs about {cpu_per_search:.0f} ms of CPU (service + Elasticsearch), so
{m["cpus"]} cores serve at most ~{ceiling:.0f} searches/s, and {max(CONCURRENCIES)} searches in
flight at {c32["api_rps"]:.0f}/s wait ~{little:.0f} ms each on average (Little's law). A p95 of
150 ms at concurrency {max(CONCURRENCIES)} needs well over {max(CONCURRENCIES) * 1000 / 150:.0f}
searches/s, i.e. under ~{(m["cpus"] or 1) * 1000 / (max(CONCURRENCIES) * 1000 / 150):.0f} ms of
CPU per search on these cores, or more cores.

### The same searches one at a time, by kind

The first {b["searches"]} searches, each once on each engine from this process, after the
runs above (Elasticsearch: the body search_service sends, request to parsed answer;
PostgreSQL: typo expansion + statement):

| kind | searches | ES p50 ms | ES p95 ms | PG p50 ms | PG p95 ms |
|---|---|---|---|---|---|
{chr(10).join(kind_rows)}

## Where Elasticsearch's time goes

The same request bodies replayed one at a time straight to Elasticsearch, as sent and
without one feature each (variants interleaved per search); mean of Elasticsearch's own
`took`:

| variant | mean took ms | share of "as sent" |
|---|---|---|
{chr(10).join(breakdown_rows)}

## What is equivalent, and what is not

Both engines hold the same documents (the output of the shared `build_document`;
PostgreSQL loaded with COPY: {pgs["copy_s"]} s, indexes and the word list
{pgs["index_s"]} s, {pgs["table_mb"]:.0f} MB, {pgs["words"]:,} distinct words).

Equivalent: the same filters (radius with the same great-circle formula and mean Earth
radius, prices, bedrooms, amenities all-of, types and cities any-of, furnished,
availability, move-in); the exact count; facets counted over the same sets (each under the
other facets' filters, amenities under all, the same fixed price buckets, top 20 types and
cities); the same sorts with the same ties (the documents' `tiebreak` number, then id),
the same page size + 1 and offsets; highlighted title and description fragments
(`ts_headline`); text: the same words (`\\w+`, at most 10), each word must match title,
city, locality or description, with typos up to Elasticsearch's `fuzziness: AUTO`
distance (first letter fixed, words with digits exact, at most 50 expansions), and the
same minimum-should-match (all words up to two, then 75%); `simple` text configuration =
ES's standard tokenizer + lowercase.

Not equivalent: relevance scores (Lucene BM25 with field boosts, cross-fields and phrase
boosts vs `ts_rank` with A/B/C weights 3:2:1 plus a bonus when every word matches
exactly), so relevance-sorted pages differ; typo distance (ES counts a transposition as
one edit, Levenshtein as two; ES expands per field, PostgreSQL over one word list, whose
candidates come from pg_trgm similarity ≥ {pgs["trigram_threshold"]}, which can miss one-edit
typos of very short words); tokenization details (PostgreSQL's parser vs Lucene's standard
tokenizer); the highlight snippets' exact cut; the in-process ES path builds the response
dicts in Python, PostgreSQL returns JSON built by the server. Facets are plain `GROUP BY`
(amenities through `unnest`) over a materialized CTE of the matching rows: on a search that
matches most listings that is the bulk of PostgreSQL's time.

Checked before timing — every search once through search_service and once on PostgreSQL:

| searches | n | same count | same city + price facets | same first page (non-relevance sorts) | median count difference |
|---|---|---|---|---|---|
{eq_line("filters only", eq["filters_only"])}
{eq_line("with text", eq["with_text"])}

## Reproduce

    scripts/infra.sh start
    make bench B=search        # or: .venv/bin/python bench/search/run.py --listings 100000

Options: `--listings`, `--reindex-runs`, `--fresh`, `--queries`, `--reps`, `--seconds`,
`--breakdown`, `--seed`. Everything it creates (topic `bench-search-<id>`, consumer group
and its dead-letter topic, alias and indices `bench-search-<id>*`, database
`{PG_DATABASE}`) is deleted at the end, also on failure. Raw figures: `results.json`.
"""
    (HERE / "REPORT.md").write_text(text)


if __name__ == "__main__":
    sys.exit(main())
