"""Visits benchmark: slot computation over a year of hours with 1,000 booked visits, and
200 tenants racing for one slot.

    make bench B=visits      (or: .venv/bin/python bench/visits/run.py)

Real processes on loopback: schedule_visit under gunicorn as its Procfile runs it (a
fresh database of its own), PostgreSQL, and the Go load generator (bench/loadgen)
signing each request the way the gateway does. Requests go straight to the service: the
gateway's own cost is bench/gateway's subject.

The property (America/New_York, so its year crosses both DST changes) has weekly hours
on every day (private viewings, and a Saturday open house of 4), a year of date
exceptions (every third day closed, every other day extra evening hours) and 1,000
booked visits spread over the year.

1. Slots: `GET /api/visits/properties/{id}/slots/?from=&to=` for 14-day windows starting
   on every day of the coming year, round-robin, C connections, SECONDS, REPS times:
   p50/p95/p99 latency and the CPU each request costs (service and PostgreSQL).
2. Race: 200 requests released at the same instant, each on its own connection and from
   its own tenant, for one private slot; RUNS times (a new slot each time). Double
   bookings are read back from the database (active visits of one property whose blocked
   ranges overlap across slots, and open-house slots over capacity). Settle time = until
   the last answer. Then the same for an open house of 4 (OPEN_RUNS times).

Writes bench/visits/REPORT.md and results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg

from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET
from rentezy_common.gateway import sign_request
from rentezy_common.logs import new_request_id
from rentezy_common.testing.processes import ServiceProcess, fresh_database, migrate, repo_root

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchkit import (  # noqa: E402 - bench/ is on the path now
    build_loadgen,
    pids,
    process_cpu,
    python_speed_us,
    with_children,
)

TARGETS = {"double_bookings": 0, "slots_p95_ms": 100.0}
DATABASE = "rentezy_visits_bench"
OWNER = "800000"
TENANT_BASE = 810000
ZONE = "America/New_York"
SECRET = os.environ.get("GATEWAY_SIGNING_SECRET", DEV_GATEWAY_SIGNING_SECRET)


def pg(url: str):
    return psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)


def weekly_rules() -> list[tuple]:
    """(weekday, start, end, capacity): weekday mornings and afternoons, a Saturday open
    house of 4, Sunday late morning."""
    rules = []
    for day in range(1, 6):
        rules += [(day, "09:00", "12:00", 1), (day, "13:00", "19:00", 1)]
    rules += [(6, "10:00", "13:00", 4), (7, "10:00", "12:00", 1)]
    return rules


def seed_property(url: str, today: date) -> str:
    property_id = str(uuid.uuid4())
    with pg(url) as conn:
        conn.execute(
            "INSERT INTO visits_property (id, owner_id, title, address, status, time_zone, "
            "version, updated_at) VALUES (%s, %s, 'Bench house', '1 Bench Street', "
            "'published', %s, 1, now())",
            [property_id, OWNER, ZONE],
        )
        conn.execute(
            "INSERT INTO visits_availability (property_id, visit_minutes, "
            "buffer_before_minutes, buffer_after_minutes, min_notice_minutes, horizon_days, "
            "daily_cap, auto_confirm, updated_at) VALUES (%s, 30, 0, 10, 0, 366, NULL, true, "
            "now())",
            [property_id],
        )
        with conn.cursor() as cursor:
            cursor.executemany(
                'INSERT INTO visits_weeklyrule (property_id, weekday, start, "end", capacity)'
                " VALUES (%s, %s, %s, %s, %s)",
                [(property_id, *rule) for rule in weekly_rules()],
            )
            exceptions = []
            for n in range(366):
                day = today + timedelta(days=n)
                if n % 3 == 0:
                    exceptions.append((property_id, day, True, None, None, 1))
                elif n % 2 == 0:
                    exceptions.append((property_id, day, False, "19:30", "21:00", 1))
            cursor.executemany(
                'INSERT INTO visits_dateexception (property_id, date, closed, start, "end", '
                "capacity) VALUES (%s, %s, %s, %s, %s, %s)",
                exceptions,
            )
    return property_id


def call(base: str, path: str, query: str = "", *, method="GET", body=None, user=None,
         role=None):  # fmt: skip
    headers = sign_request(secret=SECRET, method=method, path=path, query=query,
                           user_id=user, role=role, request_id=new_request_id())  # fmt: skip
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    url = base + path + ("?" + query if query else "")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def year_of_slots(base: str, property_id: str, today: date) -> list[dict]:
    slots = []
    day = today + timedelta(days=1)
    while day < today + timedelta(days=366):
        last = min(day + timedelta(days=30), today + timedelta(days=365))
        query = f"from={day.isoformat()}&to={last.isoformat()}"
        slots += call(base, f"/api/visits/properties/{property_id}/slots/", query)["slots"]
        day = last + timedelta(days=1)
    return slots


def seed_visits(url: str, property_id: str, slots: list[dict], count: int) -> set[str]:
    """`count` confirmed visits spread over the year's private slots (as requests would
    leave them: blocked ranges with the 10 minutes' buffer)."""
    private = [s for s in slots if s["kind"] == "private"]
    step = max(len(private) // count, 1)
    chosen = private[::step][:count]
    rows = []
    for n, slot in enumerate(chosen):
        start = datetime.fromisoformat(slot["start"])
        end = datetime.fromisoformat(slot["end"])
        visit_id = uuid.uuid4()
        rows.append((visit_id, property_id, str(TENANT_BASE - 1 - n), OWNER, start, end,
                     start, end + timedelta(minutes=10), str(visit_id), slot["local_date"],
                     ZONE))  # fmt: skip
    with pg(url) as conn, conn.cursor() as cursor:
        cursor.executemany(
            """
            INSERT INTO visits_visit (id, property_id, tenant_id, owner_id, status, start,
                "end", blocked_from, blocked_to, capacity, slot_key, local_date, time_zone,
                reason, ended_by, sequence, version, created_at, updated_at)
            VALUES (%s, %s, %s, %s, 'CONFIRMED', %s, %s, %s, %s, 1, %s, %s, %s, '', '', 0, 1,
                    now(), now())
            """,
            rows,
        )
    return {s["start"] for s in chosen}


def double_bookings(url: str, property_id: str) -> int:
    with pg(url) as conn:
        overlapping = conn.execute(
            """
            SELECT count(*) FROM visits_visit a JOIN visits_visit b
              ON a.property_id = b.property_id AND a.id < b.id AND a.slot_key <> b.slot_key
             AND tstzrange(a.blocked_from, a.blocked_to) && tstzrange(b.blocked_from, b.blocked_to)
            WHERE a.property_id = %s AND a.status IN ('PENDING', 'CONFIRMED')
              AND b.status IN ('PENDING', 'CONFIRMED')
            """,
            [property_id],
        ).fetchone()[0]
        overfull = conn.execute(
            """
            SELECT count(*) FROM (
                SELECT slot_key FROM visits_visit
                WHERE property_id = %s AND status IN ('PENDING', 'CONFIRMED')
                GROUP BY slot_key HAVING count(*) > max(capacity)) over
            """,
            [property_id],
        ).fetchone()[0]
    return overlapping + overfull


def active_in_slot(url: str, property_id: str, start: str) -> int:
    with pg(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM visits_visit WHERE property_id = %s AND start = %s "
            "AND status IN ('PENDING', 'CONFIRMED')",
            [property_id, start],
        ).fetchone()[0]


class Bench:
    def __init__(self, args) -> None:
        self.args = args
        self.loadgen = build_loadgen()
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-visits-"))

    def start(self) -> None:
        self.database = fresh_database(DATABASE)
        env = {"DATABASE_URL": self.database, "RENTEZY_ENV": "test", "LOG_LEVEL": "WARNING"}
        migrate("schedule_visit", env=env)
        self.web = ServiceProcess.gunicorn(
            "schedule_visit", env=env, workers=self.args.workers, name="visits-bench"
        ).start()

    def stop(self) -> None:
        self.web.stop()

    def web_pids(self) -> list[int]:
        return with_children(self.web.pid)

    def loadgen_run(self, extra: list[str]) -> dict:
        completed = subprocess.run(
            [str(self.loadgen), "-sign-secret", SECRET, *extra],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return json.loads(completed.stdout)

    def slots_loop(self, property_id: str, today: date) -> dict:
        urls = self.tmp / "slots.txt"
        urls.write_text(
            "\n".join(
                f"{self.web.url}/api/visits/properties/{property_id}/slots/"
                f"?from={(today + timedelta(days=n)).isoformat()}"
                f"&to={(today + timedelta(days=n + 13)).isoformat()}"
                for n in range(1, 352)
            )
        )
        groups = {"schedule_visit": self.web_pids(), "postgresql": pids("postgres")}
        before = {name: process_cpu(p) for name, p in groups.items()}
        result = self.loadgen_run(
            ["-urls", str(urls), "-c", str(self.args.concurrency), "-d",
             f"{self.args.seconds}s", "-warmup", "2s", "-sign-user", "1", "-sign-role", "tenant"]
        )  # fmt: skip
        served = result["rps"] * (self.args.seconds + 2)  # the warm-up ran at about that rate
        result["cpu_ms_per_request"] = {
            name: round(1000 * (process_cpu(p) - before[name]) / max(served, 1), 2)
            for name, p in groups.items()
        }
        print(f"  slots: {result}", flush=True)
        return result

    def race(self, property_id: str, start: str, tenants_from: int) -> dict:
        bodies = self.tmp / "race.txt"
        bodies.write_text(json.dumps({"property_id": property_id, "start": start}))
        groups = {"schedule_visit": self.web_pids(), "postgresql": pids("postgres")}
        before = {name: process_cpu(p) for name, p in groups.items()}
        result = self.loadgen_run(
            ["-url", f"{self.web.url}/api/visits/requests/", "-method", "POST", "-bodies",
             str(bodies), "-burst", str(self.args.requests), "-sign-user", str(tenants_from),
             "-sign-users", str(self.args.requests), "-sign-role", "tenant"]
        )  # fmt: skip
        cpu = {
            name: round(1000 * (process_cpu(p) - before[name]) / self.args.requests, 2)
            for name, p in groups.items()
        }
        run = {
            "settle_s": result["settle_ms"] / 1000,
            "p50_ms": result["p50_ms"],
            "p99_ms": result["p99_ms"],
            "statuses": result["statuses"],
            "errors": result["errors"],
            "won": result["statuses"].get("201", 0),
            "in_slot": active_in_slot(self.database, property_id, start),
            "cpu_ms_per_request": cpu,
        }
        print(f"  race: {run}", flush=True)
        return run


def summarize_races(runs: list[dict], capacity: int) -> dict:
    return {
        "runs": len(runs),
        "capacity": capacity,
        "winners_per_run": sorted({r["won"] for r in runs}),
        "in_slot_per_run": sorted({r["in_slot"] for r in runs}),
        "settle_s_median": statistics.median(r["settle_s"] for r in runs),
        "settle_s_max": max(r["settle_s"] for r in runs),
        "p50_ms_median": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms_median": statistics.median(r["p99_ms"] for r in runs),
        "other_statuses": sorted(
            {code for r in runs for code in r["statuses"] if code not in ("201", "409")}
        ),
        "errors": sum(r["errors"] for r in runs),
        "cpu_ms_per_request_median": {
            name: statistics.median(r["cpu_ms_per_request"][name] for r in runs)
            for name in runs[0]["cpu_ms_per_request"]
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1000, help="booked visits")
    parser.add_argument("--runs", type=int, default=20, help="races for a private slot")
    parser.add_argument("--open-runs", type=int, default=5, help="races for an open house")
    parser.add_argument("--requests", type=int, default=200, help="requests per race")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--reps", type=int, default=3, help="slot-computation repetitions")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    bench = Bench(args)
    bench.start()
    results: dict = {"settings": vars(args)}
    try:
        today = datetime.now(UTC).date()
        property_id = seed_property(bench.database, today)
        slots = year_of_slots(bench.web.url, property_id, today)
        booked = seed_visits(bench.database, property_id, slots, args.visits)
        results["seed"] = {
            "slots_in_the_year": len(slots),
            "booked_visits": len(booked),
            "weekly_rules": len(weekly_rules()),
            "date_exceptions": sum(1 for n in range(366) if n % 3 == 0 or n % 2 == 0),
        }
        print(f"  seed: {results['seed']}", flush=True)
        results["slots"] = [bench.slots_loop(property_id, today) for _ in range(args.reps)]
        free = [s for s in slots if s["start"] not in booked]
        private = [s for s in free if s["kind"] == "private"][-args.runs * 3 :: 3]
        houses = [s for s in free if s["kind"] == "open_house"][-args.open_runs :]
        results["race_private"] = [
            bench.race(property_id, s["start"], TENANT_BASE + n * args.requests)
            for n, s in enumerate(private[: args.runs])
        ]
        results["race_open_house"] = [
            bench.race(property_id, s["start"], TENANT_BASE + (100 + n) * args.requests)
            for n, s in enumerate(houses)
        ]
        results["double_bookings"] = double_bookings(bench.database, property_id)
    finally:
        bench.stop()
    summarize(results)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_report(results)
    print((HERE / "REPORT.md").read_text())
    return 0 if all(results["met"].values()) else 1


def summarize(results: dict) -> None:
    loops = results["slots"]
    results["summary"] = {
        "slots": {
            "p50_ms_median": statistics.median(r["p50_ms"] for r in loops),
            "p95_ms_median": statistics.median(r["p95_ms"] for r in loops),
            "p99_ms_median": statistics.median(r["p99_ms"] for r in loops),
            "rps_median": statistics.median(r["rps"] for r in loops),
            "non_2xx": sum(r["non_2xx"] + r["errors"] for r in loops),
            "cpu_ms_per_request": {
                name: statistics.median(r["cpu_ms_per_request"][name] for r in loops)
                for name in loops[0]["cpu_ms_per_request"]
            },
        },
        "race_private": summarize_races(results["race_private"], 1),
        "race_open_house": summarize_races(results["race_open_house"], 4),
    }
    s = results["summary"]
    results["met"] = {
        "double_bookings": results["double_bookings"] == 0
        and s["race_private"]["winners_per_run"] == [1]
        and s["race_private"]["in_slot_per_run"] == [1]
        and s["race_open_house"]["winners_per_run"] == [4]
        and s["race_open_house"]["in_slot_per_run"] == [4],
        "slots_p95_ms": s["slots"]["p95_ms_median"] <= TARGETS["slots_p95_ms"],
    }
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=repo_root(), capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "schedule_visit", "libs"], cwd=repo_root(),
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "python_speed_us": python_speed_us(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
    }


def write_report(results: dict) -> None:
    s, met, args, m = results["summary"], results["met"], results["settings"], results["machine"]
    sl, rp, ro = s["slots"], s["race_private"], s["race_open_house"]
    cpu, rcpu = sl["cpu_ms_per_request"], rp["cpu_ms_per_request_median"]

    def yes(ok: bool) -> str:
        return "met" if ok else "NOT met"

    report = f"""# bench/visits

Run `make bench B=visits` (`.venv/bin/python bench/visits/run.py`). Commit
**{m["commit"]}**; machine: {m["cpus"]} CPUs, Python {m["python"]} (`sum(range(1000))`:
{m["python_speed_us"]} µs), load average at the end {m["load_average"]}, {m["date"]}.
schedule_visit under gunicorn as its Procfile runs it ({args["workers"]} workers of 4
threads) and PostgreSQL on loopback; the Go load generator signs requests as the gateway
does and sends them straight to the service. All processes share all CPUs, with whatever
else the machine runs: figures are medians of repeated runs.

The property: {ZONE} (its year crosses both DST changes), {results["seed"]["weekly_rules"]}
weekly rules (private viewings every day, a Saturday open house of 4), 30-minute visits
with 10 minutes after each, {results["seed"]["date_exceptions"]} date exceptions over the
year (closed days, extra evening hours), {results["seed"]["booked_visits"]} booked visits
spread over the year's {results["seed"]["slots_in_the_year"]} slots.

## Targets

| target | result | |
|---|---|---|
| 0 double bookings: one winner of {args["requests"]} for a private slot, {args["runs"]} runs | winners per run: {rp["winners_per_run"]}; active visits in the slot afterwards: {rp["in_slot_per_run"]}; overlapping or over-capacity visits in the database: **{results["double_bookings"]}** | {yes(met["double_bookings"])} |
| the same for an open house of 4, {args["open_runs"]} runs | winners per run: {ro["winners_per_run"]}; in the slot afterwards: {ro["in_slot_per_run"]} | |
| slots of a 14-day window: p95 <= {TARGETS["slots_p95_ms"]:.0f} ms | **p95 {sl["p95_ms_median"]:.1f} ms** (median of {args["reps"]} x {args["seconds"]} s, {args["concurrency"]} connections) | {yes(met["slots_p95_ms"])} |

## Slot computation (14-day windows, every start day of the year, round-robin)

| p50 ms | p95 ms | p99 ms | requests/s | failed |
|---|---|---|---|---|
| {sl["p50_ms_median"]:.1f} | {sl["p95_ms_median"]:.1f} | {sl["p99_ms_median"]:.1f} | {sl["rps_median"]:.0f} | {sl["non_2xx"]} |

CPU per request (milliseconds, median over the runs): schedule_visit
**{cpu["schedule_visit"]:.2f}**, PostgreSQL {cpu["postgresql"]:.2f}.

## The race ({args["requests"]} requests at once, each from its own tenant, each on its own connection)

| slot | runs | winners | settle median / max s | p50 ms | p99 ms | other answers |
|---|---|---|---|---|---|---|
| private (exclusion constraint) | {rp["runs"]} | {rp["winners_per_run"]} | {rp["settle_s_median"]:.2f} / {rp["settle_s_max"]:.2f} | {rp["p50_ms_median"]:.0f} | {rp["p99_ms_median"]:.0f} | {rp["other_statuses"] or "none"}, {rp["errors"]} errors |
| open house of 4 (capacity row) | {ro["runs"]} | {ro["winners_per_run"]} | {ro["settle_s_median"]:.2f} / {ro["settle_s_max"]:.2f} | {ro["p50_ms_median"]:.0f} | {ro["p99_ms_median"]:.0f} | {ro["other_statuses"] or "none"}, {ro["errors"]} errors |

Every loser answers 409 `slot_taken`. CPU per request in a private race (milliseconds,
median over the runs): schedule_visit {rcpu["schedule_visit"]:.2f}, PostgreSQL
{rcpu["postgresql"]:.2f}. Raw figures: results.json.
"""
    (HERE / "REPORT.md").write_text(report)


if __name__ == "__main__":
    raise SystemExit(main())
