"""Where a request's CPU goes, per request kind, and what the shared library's cuts gain.

    make bench B=profiles      (or: .venv/bin/python bench/profiles/run.py [--base REV])

Real processes on loopback, each service under gunicorn as its Procfile runs it:
auth_service, booking_service, property_service and search_service, and the gateway
(uvicorn) in front of auth_service for `/me` with a bearer token. PostgreSQL, Redis,
Elasticsearch and stripe-mock are the ones `scripts/infra.sh` runs.

Two copies of every process run side by side on the same databases and index: "before"
runs the code of `--base` (default: the merge base with main), extracted from git into
.rentezy/bench-base/<commit>; "after" runs this checkout. The Go load generator drives
each kind in a closed loop (C connections, SECONDS), before and after alternately, REPS
times; CPU per request is the CPU time every process spent (from /proc) divided by the
answers counted. Medians over the repetitions and their ratios go to results.json and
REPORT.md (bench/README.md explains the breakdown).

With --profile, py-spy records each kind's service (the gunicorn master and its
workers, `--subprocesses`) for PROFILE_SECONDS under the same load and writes
bench/profiles/<kind>.<side>.svg (flame graphs: width = share of samples).

Kinds (requests as the gateway forwards them: signed, with a caller identity):
  small_get       GET /api/bookings/rooms/{id}/availability/ (two small queries), direct
  me              GET /api/auth/me, direct
  me_gateway      GET /api/auth/me through the gateway with a bearer token
  hold            POST /api/bookings/ (conditional UPDATE, outbox, Celery task on Redis,
                  a Stripe Checkout Session on stripe-mock), direct
  property_write  POST /api/properties/ (a landlord's new listing + outbox row), direct
  search          GET /api/search/properties?... (2,000 mixed searches over a few
                  thousand listings), direct
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchkit import (  # noqa: E402 - bench/ is on the path now
    build_loadgen,
    process_cpu,
    python_speed_us,
)

SERVICES = ("auth_service", "booking_service", "property_service", "search_service")
KINDS = ("small_get", "me", "me_gateway", "hold", "property_write", "search")
TENANT, LANDLORD = "900001", "900002"
# The servers each kind uses: only their CPU counts in its total (an idle Elasticsearch
# still spends some, which is no small GET's cost).
SERVERS = {
    "small_get": ("postgresql", "redis"),
    "me": ("postgresql", "redis"),
    "me_gateway": ("postgresql", "redis"),
    "hold": ("postgresql", "redis", "stripe-mock"),
    "property_write": ("postgresql", "redis"),
    "search": ("redis", "elasticsearch"),
}
# Collapsed stacks (py-spy's raw format) next to the flame graphs; not committed (large).
STACKS = HERE.parent.parent / ".rentezy" / "bench-profiles"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=HERE.parent.parent, check=True, capture_output=True, text=True
    ).stdout.strip()


def extract(rev: str) -> Path:
    """The tree of `rev` (the library, the gateway and the services measured) on disk."""
    commit = git("rev-parse", rev)
    out = HERE.parent.parent / ".rentezy" / "bench-base" / commit[:12]
    if not (out / "libs").is_dir():
        out.mkdir(parents=True, exist_ok=True)
        paths = ["libs/rentezy_common", "api_gateway", *SERVICES]
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, *paths],
            cwd=HERE.parent.parent,
            check=True,
            capture_output=True,
        ).stdout
        with tempfile.TemporaryFile() as tmp:
            tmp.write(archive)
            tmp.seek(0)
            with tarfile.open(fileobj=tmp) as tar:
                tar.extractall(out, filter="data")
    return out


def tree_pids(pid: int) -> list[int]:
    """A process and all its descendants."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        path = Path(f"/proc/{current}/task/{current}/children")
        with contextlib.suppress(OSError):
            todo.extend(int(child) for child in path.read_text().split())
    return out


def infra_pids() -> dict[str, list[int]]:
    """This checkout's servers (not another worktree's): by their ports and state dir."""
    state = os.environ.get("RENTEZY_STATE", str(HERE.parent.parent / ".rentezy"))
    found: dict[str, list[int]] = {}
    markers = {
        "postgresql": f"postgres -D {state}/",
        "redis": f"redis-server 127.0.0.1:{os.environ.get('REDIS_PORT', '6379')}",
        "stripe-mock": f"stripe-mock -http-addr 127.0.0.1:{os.environ.get('STRIPE_MOCK_PORT', '12111')}",
        "elasticsearch": f"{state}/state/elasticsearch",
    }
    for name, marker in markers.items():
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                args = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if marker in args:
                    found.setdefault(name, []).append(int(proc.name))
                    break
    return {name: tree_pids(pids[0]) for name, pids in found.items()}


class Side:
    """One copy of the measured processes, running the code of `tree`."""

    def __init__(
        self, label: str, tree: Path, databases: dict[str, str], alias: str, extra_env: dict
    ) -> None:
        self.label = label
        self.extra_env = extra_env
        self.tree = tree
        self.databases = databases
        self.alias = alias
        self.procs: dict = {}

    def _env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {"RENTEZY_ENV": "test", "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO")}
        if self.label == "before":
            env["PYTHONPATH"] = str(self.tree / "libs" / "rentezy_common" / "src")
        env.update(extra)
        env.update(self.extra_env)
        return env

    def start(self, workers: int) -> None:
        from rentezy_common.testing.processes import ServiceProcess, free_port

        previous = os.environ.get("RENTEZY_REPO")
        os.environ["RENTEZY_REPO"] = str(self.tree)  # the services' working directories
        try:
            for service, extra in (
                ("auth_service", {"DATABASE_URL": self.databases["auth"]}),
                (
                    "booking_service",
                    {"DATABASE_URL": self.databases["booking"], "BOOKING_MAX_QUANTITY": "50"},
                ),
                ("property_service", {"DATABASE_URL": self.databases["property"]}),
                ("search_service", {"SEARCH_INDEX_ALIAS": self.alias}),
            ):
                self.procs[service] = ServiceProcess.gunicorn(
                    service,
                    env=self._env(extra),
                    workers=workers,
                    name=f"profiles-{service}-{self.label}",
                ).start()
            self.procs["api_gateway"] = ServiceProcess.python(
                "api_gateway",
                "-m",
                "edge.serve",
                env=self._env(
                    {
                        "GATEWAY_METRICS_PORT": str(free_port()),
                        "UPSTREAM_AUTH_URL": self.procs["auth_service"].url,
                        "GATEWAY_DEFAULT_RATE_LIMIT": "100000000/minute",  # measure, not throttle
                        "GATEWAY_WORKERS": "1",
                    }
                ),
                name=f"profiles-gateway-{self.label}",
            ).start()
        finally:
            if previous is None:
                os.environ.pop("RENTEZY_REPO", None)
            else:
                os.environ["RENTEZY_REPO"] = previous

    def stop(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(Exception):
                proc.stop()

    def url(self, service: str) -> str:
        return self.procs[service].url


def http_json(method: str, url: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


class Bench:
    def __init__(self, args) -> None:
        from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET

        self.args = args
        self.loadgen = build_loadgen()
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-profiles-"))
        self._cleanup = lambda: None
        self.secret = os.environ.get("GATEWAY_SIGNING_SECRET", DEV_GATEWAY_SIGNING_SECRET)

    # -- data ----------------------------------------------------------------------------
    def prepare(self) -> dict[str, str]:
        from rentezy_common.testing.processes import fresh_database, migrate

        databases = {}
        for short, service in (
            ("auth", "auth_service"),
            ("booking", "booking_service"),
            ("property", "property_service"),
        ):
            databases[short] = fresh_database(f"rentezy_{short}_profiles")
            migrate(service, env={"DATABASE_URL": databases[short]})
        booking = _load("bookingbench", HERE.parent / "booking" / "run.py")
        self.rooms = booking.seed_rooms(databases["booking"], 200, 10_000_000)
        self.alias = self.args.alias or self.seed_search()
        if self.args.alias:
            sys.path.insert(0, str(HERE.parent / "search"))
            import data

            self.queries = data.make_queries(2000, seed=18)
        return databases

    def seed_search(self) -> str:
        """A few thousand listings through Kafka and the real reindex, as bench/search."""
        sys.path.insert(0, str(HERE.parent / "search"))
        search = _load("searchbench", HERE.parent / "search" / "run.py")
        run_id = uuid.uuid4().hex[:10]
        topic = alias = f"bench-profiles-{run_id}"
        search.django_setup(alias, topic)
        import data
        from confluent_kafka.admin import AdminClient

        from rentezy_common.events.kafka import kafka_config
        from rentezy_common.testing.processes import migrate

        admin = AdminClient(kafka_config())
        search.make_topic(admin, topic)
        search.produce_listings(data.ListingFactory(seed=4), topic, self.args.listings)
        migrate("search_consumer")
        search.run_reindex(topic, alias)
        self.queries = data.make_queries(2000, seed=18)
        if not self.args.keep_index:
            self._cleanup = lambda: search.cleanup(admin, [topic], f"none-{run_id}", alias)
        print(f"search index: {alias}", flush=True)
        return alias

    def register(self, side: Side) -> tuple[str, dict]:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        password = "bench-Password-123"
        gateway = side.url("api_gateway")
        http_json(
            "POST",
            gateway + "/api/auth/register",
            {"email": email, "password": password, "full_name": "Bench", "role": "tenant"},
        )
        session = http_json(
            "POST", gateway + "/api/auth/login", {"email": email, "password": password}
        )
        return session["access"], session["user"]

    def files(self) -> None:
        move_in = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
        self.hold_bodies = self.tmp / "holds.txt"
        self.hold_bodies.write_text(
            "\n".join(
                json.dumps({"room_id": r, "quantity": 1, "move_in_date": move_in})
                for r in self.rooms
            )
        )
        # property_service's tests' property_payload()
        payload = {
            "title": "Sunny 2BHK near the park",
            "description": "Bright, quiet, ten minutes from the metro.",
            "property_type": "apartment",
            "address": {
                "line1": "12 MG Road",
                "locality": "Indiranagar",
                "city": "Bengaluru",
                "state": "Karnataka",
                "postal_code": "560038",
                "country": "IN",
            },
            "location": {"lat": 12.9719, "lon": 77.6412},
            "currency": "INR",
            "monthly_price": "25000.00",
            "deposit": "50000.00",
            "bedrooms": 2,
            "bathrooms": 2,
            "area_sqft": 1100,
            "furnished": True,
            "amenities": ["wifi", "parking"],
            "house_rules": "No smoking.",
        }
        self.property_bodies = self.tmp / "properties.txt"
        self.property_bodies.write_text(json.dumps(payload) + "\n")

    def kind_args(self, kind: str, side: Side) -> tuple[str, list[str]]:
        """(service measured, load generator arguments) for one kind on one side."""
        signed = ["-sign-secret", self.secret, "-sign-role"]
        if kind == "small_get":
            urls = self.tmp / f"avail-{side.label}.txt"
            urls.write_text(
                "\n".join(
                    f"{side.url('booking_service')}/api/bookings/rooms/{r}/availability/"
                    for r in self.rooms
                )
            )
            return "booking_service", ["-urls", str(urls), *signed, "tenant",
                                       "-sign-user", TENANT]  # fmt: skip
        if kind == "me":
            user = self.users[side.label][1]
            return "auth_service", ["-url", side.url("auth_service") + "/api/auth/me",
                                    *signed, user["role"], "-sign-user", str(user["id"])]  # fmt: skip
        if kind == "me_gateway":
            token = self.users[side.label][0]
            return "api_gateway", ["-url", side.url("api_gateway") + "/api/auth/me",
                                   "-H", f"Authorization: Bearer {token}"]  # fmt: skip
        if kind == "hold":
            return "booking_service", ["-url", side.url("booking_service") + "/api/bookings/",
                                       "-method", "POST", "-bodies", str(self.hold_bodies),
                                       *signed, "tenant", "-sign-user", TENANT]  # fmt: skip
        if kind == "property_write":
            return "property_service", ["-url", side.url("property_service") + "/api/properties/",
                                        "-method", "POST", "-bodies", str(self.property_bodies),
                                        *signed, "landlord", "-sign-user", LANDLORD]  # fmt: skip
        if kind == "search":
            urls = self.tmp / f"search-{side.label}.txt"
            base = side.url("search_service") + "/api/search/properties?"
            urls.write_text("\n".join(base + urlencode(q) for q in self.queries))
            return "search_service", ["-urls", str(urls), *signed, "", "-sign-user", ""]
        raise ValueError(kind)

    def drive(self, extra: list[str], seconds: float, warmup: float = 0) -> dict:
        completed = subprocess.run(
            [str(self.loadgen), "-c", str(self.args.concurrency), "-d", f"{seconds}s",
             "-warmup", f"{warmup}s", *extra],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return json.loads(completed.stdout)

    def groups(self, side: Side, kind: str) -> dict[str, list[int]]:
        service, _ = self.kind_args(kind, side)
        groups = {service: tree_pids(side.procs[service].pid)}
        if kind == "me_gateway":
            groups["auth_service"] = tree_pids(side.procs["auth_service"].pid)
        servers = infra_pids()  # now: the services' PostgreSQL backends included
        groups.update({name: servers[name] for name in SERVERS[kind]})
        return groups

    def measure(self, side: Side, kind: str) -> dict:
        _, extra = self.kind_args(kind, side)
        self.drive(extra, 1)  # warm: every worker's lazily loaded modules and connections
        groups = self.groups(side, kind)
        before = {name: process_cpu(pids) for name, pids in groups.items()}
        started = time.monotonic()
        result = self.drive(extra, self.args.seconds)
        wall = time.monotonic() - started
        served = max(result["requests"], 1)
        cpu = {
            name: round(1000 * (process_cpu(pids) - before[name]) / served, 3)
            for name, pids in groups.items()
        }
        cpu["total"] = round(sum(cpu.values()), 3)
        return {
            "rps": result["rps"],
            "p50_ms": result["p50_ms"],
            "p95_ms": result["p95_ms"],
            "errors": result["errors"],
            "statuses": result["statuses"],
            "requests": result["requests"],
            "wall_s": round(wall, 2),
            "cpu_ms": cpu,
            "loadavg": [round(x, 2) for x in os.getloadavg()],
        }

    def profile(self, side: Side, kind: str) -> Path:
        """A flame graph (SVG, kept) and the same samples as collapsed stacks (for the
        breakdown: `breakdown.py`), recorded at once by two py-spy processes on the
        service's gunicorn master and workers, after a warm-up. `--gil` samples only the
        thread holding the GIL: Python's CPU, not threads waiting on a socket."""
        service, extra = self.kind_args(kind, side)
        out = HERE / f"{kind}.{side.label}.svg"
        self.drive(extra, 2)
        py_spy = str(Path(sys.executable).parent / "py-spy")
        spies = []
        for fmt, path in (("flamegraph", out), ("raw", STACKS / f"{kind}.{side.label}.txt")):
            argv = [py_spy, "record", "--pid", str(side.procs[service].pid), "--subprocesses",
                    "--gil", "--nonblocking", "--rate", "100",
                    "--duration", str(self.args.profile_seconds), "--format", fmt, "-o", str(path)]  # fmt: skip
            spies.append(
                subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        time.sleep(1)
        self.drive(extra, self.args.profile_seconds + 1)
        for spy in spies:
            spy.wait(timeout=60)
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=None, help="the 'before' code (default: merge base)")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--listings", type=int, default=3000)
    parser.add_argument(
        "--profile", action=argparse.BooleanOptionalAction, default=True, help="flame graphs too"
    )
    parser.add_argument("--profile-seconds", type=int, default=8)
    parser.add_argument("--sides", default="before,after")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="SIDE:NAME=VALUE",
        help="an environment variable for one side's processes (e.g. after:GUNICORN_THREADS=1)",
    )
    parser.add_argument("--alias", help="search an index left by an earlier --keep-index run")
    parser.add_argument("--keep-index", action="store_true", help="leave the search index")
    parser.add_argument("--out", default="results.json", help="under bench/profiles/")
    parser.add_argument("--resummarize", action="store_true", help="only redo --out's summary")
    args = parser.parse_args()
    if args.resummarize:
        path = HERE / args.out
        results = json.loads(path.read_text())
        results["summary"] = summarize(results["runs"])
        path.write_text(json.dumps(results, indent=1) + "\n")
        print(json.dumps(results["summary"], indent=1))
        return 0

    os.environ.setdefault("RENTEZY_ENV", "test")
    base = args.base or git("merge-base", "HEAD", "main")
    head = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--", "libs", *SERVICES, "api_gateway"))
    kinds = args.kinds.split(",")
    bench = Bench(args)
    STACKS.mkdir(parents=True, exist_ok=True)
    databases = bench.prepare()
    bench.files()
    trees = {"before": extract(base), "after": HERE.parent.parent}
    extra_env: dict[str, dict[str, str]] = {"before": {}, "after": {}}
    for item in args.env:
        label, _, assignment = item.partition(":")
        name, _, value = assignment.partition("=")
        extra_env[label][name] = value
    sides = {
        label: Side(label, trees[label], databases, bench.alias, extra_env[label])
        for label in args.sides.split(",")
    }
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python_speed_us": python_speed_us(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        "commits": {"before": base, "after": head + (" (uncommitted changes)" if dirty else "")},
        "env": extra_env,
        "settings": {k: v for k, v in vars(args).items()},
        "runs": {},
    }
    try:
        for side in sides.values():
            side.start(args.workers)
        bench.users = {label: bench.register(side) for label, side in sides.items()}
        for kind in kinds:
            runs = results["runs"].setdefault(kind, {label: [] for label in sides})
            for rep in range(args.reps):
                order = list(sides.values())
                if rep % 2:
                    order.reverse()  # ABBA: a drift in the machine's load hits both alike
                for side in order:
                    run = bench.measure(side, kind)
                    runs[side.label].append(run)
                    print(f"{kind} {side.label} #{rep}: {json.dumps(run)}", flush=True)
            if args.profile:
                for side in sides.values():
                    print(f"  profile {kind} {side.label}: {bench.profile(side, kind)}", flush=True)
    finally:
        for side in sides.values():
            side.stop()
        with contextlib.suppress(Exception):
            bench._cleanup()
    results["summary"] = summarize(results["runs"])
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = HERE / args.out
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results["summary"], indent=1))
    return 0


def summarize(runs: dict) -> dict:
    summary = {}
    for kind, sides in runs.items():
        entry: dict = {}
        for label, reps in sides.items():
            if not reps:
                continue
            for r in reps:  # the total of the processes the kind uses (SERVERS)
                r["cpu_ms"] = {
                    n: v for n, v in r["cpu_ms"].items() if n.endswith("service")
                    or n == "api_gateway" or n in SERVERS[kind]
                }  # fmt: skip
                r["cpu_ms"]["total"] = round(sum(r["cpu_ms"].values()), 3)
            names = reps[0]["cpu_ms"].keys()
            entry[label] = {
                "cpu_ms": {
                    n: round(statistics.median(r["cpu_ms"][n] for r in reps), 2) for n in names
                },
                "rps": round(statistics.median(r["rps"] for r in reps), 1),
                "p50_ms": round(statistics.median(r["p50_ms"] for r in reps), 1),
                "p95_ms": round(statistics.median(r["p95_ms"] for r in reps), 1),
                "errors": sum(r["errors"] for r in reps),
                "non_2xx": sum(
                    n for r in reps for s, n in r["statuses"].items() if not s.startswith("2")
                ),
            }
        if "before" in entry and "after" in entry:
            entry["ratio_total_cpu"] = round(
                entry["after"]["cpu_ms"]["total"] / entry["before"]["cpu_ms"]["total"], 3
            )
        summary[kind] = entry
    return summary


if __name__ == "__main__":
    sys.exit(main())
