"""Rent benchmark: the daily cycle over 100,000 active leases, and the same date again.

    make bench B=rent      (or: .venv/bin/python bench/rent/run.py [--sizes 10000 100000])

Real processes on loopback: PostgreSQL (a fresh database per size, migrated by
rent_service), Redis (the autopay tasks are queued there, then dropped), and the cycle
itself in rent_service's own environment (bench/rent/measure.py), as `manage.py
run_rent_cycle` runs it.

The leases (seeded with SQL): due days spread as landlords set them (40% on the 1st, the
rest over the 2nd to the 28th), currencies INR 70%, USD 15%, EUR 10%, JPY 5%, ten IANA
zones, autopay with a saved card on half, 5% late fees after 5 days on all, started
two to fourteen months ago. Their history is the cycle's own: one catch-up run on the
day before (every lease gets its current period's invoice; that run is reported too),
then 90% of the invoices already due are paid (SQL). The measured date D is the one
whose invoices are issued for the 1st (D = the 1st - 7 days), so it issues ~40% of
the leases' invoices at once, plus the day's reminders, overdue notices, late fees and
autopay attempts (queued in Redis).

Each size: the seeded database is a template; every repetition copies it, runs the
full cycle for D, then D again (must change nothing). Reported: medians of REPEAT runs
of wall time, rows written (PostgreSQL's own counters: inserted + updated + deleted
tuples, outbox rows included), queries issued, CPU per lease (the cycle's process and
its PostgreSQL backend), and the growth from the smallest to the largest size.
Targets (2 cores): full cycle <= 60 s, re-run <= 10 s with zero changes, growth linear
or better. Writes bench/rent/REPORT.md and results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg

from rentezy_common.platform import SERVICES
from rentezy_common.testing.processes import (
    fresh_database,
    migrate,
    postgres_url,
    repo_root,
    service_python,
)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchkit import python_speed_us  # noqa: E402 - bench/ is on the path now

TARGETS = {"full_cycle_s": 60.0, "rerun_s": 10.0}
REDIS_DB = 27  # the autopay tasks go here, and are dropped
ZONES = ["Asia/Kolkata", "Europe/London", "America/New_York", "America/Los_Angeles",
         "Asia/Tokyo", "Europe/Berlin", "Australia/Sydney", "Asia/Dubai", "UTC",
         "America/Sao_Paulo"]  # fmt: skip


def the_day() -> date:
    """D: seven days before the first of a month a little ahead (invoices for the 1st)."""
    first = (date.today().replace(day=1) + timedelta(days=40)).replace(day=1)
    return first - timedelta(days=7)


def env(database: str) -> dict[str, str]:
    port = os.environ.get("REDIS_PORT", "6379")
    return {
        "DATABASE_URL": postgres_url(database),
        "REDIS_URL": f"redis://127.0.0.1:{port}/{REDIS_DB}",
        "RENTEZY_ENV": "dev",
        "LOG_LEVEL": "WARNING",
    }


def measure(database: str, day: date) -> dict:
    python = service_python(SERVICES["rent"].directory)
    result = subprocess.run(
        [python, str(HERE / "measure.py"), day.isoformat()],
        cwd=repo_root() / "rent_service",
        env={**{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")},
             **env(database)},
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


SEED_SQL = """
INSERT INTO leases_lease (
    id, booking_id, tenant_id, landlord_id, property_id, room_id, quantity, status,
    currency, monthly_rent, due_day, start_date, end_date, notice_days, deposit_held,
    late_fee_kind, late_fee_amount, late_fee_cap, grace_days, reminder_days, time_zone,
    autopay, stripe_customer_id, setup_intent_id, payment_method_id, simulate_decline,
    notice_given_at, notice_given_by, ended_on, end_reason, created_by, version,
    created_at, updated_at)
SELECT gen_random_uuid(), NULL, 't' || n, 'l' || (n %% 5000), gen_random_uuid(), NULL, 1,
       'active',
       c.currency, CASE c.currency WHEN 'JPY' THEN 120000 WHEN 'INR' THEN 25000
                                   ELSE 1500 END + (n %% 97),
       CASE WHEN n %% 10 < 4 THEN 1 ELSE 2 + (n * 7919) %% 27 END,
       %(today)s::date - (60 + n %% 360), NULL, 30, 0,
       'percent', 5, NULL, 5, 3, (%(zones)s::text[])[1 + n %% 10],
       n %% 2 = 0, CASE WHEN n %% 2 = 0 THEN 'cus_bench' || n ELSE '' END, '',
       CASE WHEN n %% 2 = 0 THEN 'pm_card_visa' ELSE '' END, '',
       NULL, '', NULL, '', 'bench', 0, now(), now()
FROM generate_series(1, %(n)s) n
CROSS JOIN LATERAL (
    SELECT CASE WHEN n %% 20 < 14 THEN 'INR' WHEN n %% 20 < 17 THEN 'USD'
                WHEN n %% 20 < 19 THEN 'EUR' ELSE 'JPY' END AS currency
) c
"""

PAY_SQL = """
WITH due AS (
    SELECT i.id, i.lease_id, sum(e.amount) AS balance
    FROM leases_invoice i JOIN leases_ledgerentry e ON e.invoice_id = i.id
    WHERE i.due_date < %(day)s AND hashtext(i.id::text) %% 10 <> 0
    GROUP BY i.id, i.lease_id
),
paid AS (
    INSERT INTO leases_ledgerentry (lease_id, invoice_id, kind, amount, memo, created_by,
                                    created_at)
    SELECT lease_id, id, 'payment', -balance, 'bench: paid', 'bench', now() FROM due
    WHERE balance > 0
    RETURNING invoice_id
)
UPDATE leases_invoice SET status = 'paid' WHERE id IN (SELECT invoice_id FROM paid)
"""


def seed(size: int, day: date) -> tuple[str, dict]:
    """The template database of `size` leases, with their history (see the module)."""
    name = f"rentezy_rent_bench_{size}"
    fresh_database(name)
    migrate("rent_service", env=env(name))
    with psycopg.connect(postgres_url(name), autocommit=True) as conn:
        conn.execute(SEED_SQL, {"n": size, "today": day, "zones": ZONES})
        conn.execute("ANALYZE")
    catch_up = measure(name, day - timedelta(days=1))
    with psycopg.connect(postgres_url(name), autocommit=True) as conn:
        conn.execute(PAY_SQL, {"day": day})
        # The relay would have sent and later purged these: the outbox starts empty.
        conn.execute("DELETE FROM rentezy_events_outboxevent")
        conn.execute("VACUUM ANALYZE")
    return name, catch_up


def copy_of(template: str) -> str:
    name = f"{template}_run"
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def written(database: str) -> int:
    with psycopg.connect(postgres_url(database), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables"
        ).fetchone()
    return int(row[0])


def counted(database: str, day: date) -> dict:
    before = written(database)
    result = measure(database, day)
    time.sleep(1.5)  # statistics reach the shared counters within a second of idling
    result["rows_written"] = written(database) - before
    return result


def flush_redis() -> None:
    import redis

    port = os.environ.get("REDIS_PORT", "6379")
    with redis.Redis.from_url(f"redis://127.0.0.1:{port}/{REDIS_DB}") as client:
        client.flushdb()


def bench_size(size: int, day: date, repeat: int) -> dict:
    template, catch_up = seed(size, day)
    runs = []
    for _ in range(repeat):
        database = copy_of(template)
        full = counted(database, day)
        again = counted(database, day)
        runs.append({"full": full, "rerun": again})
        flush_redis()
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')

    def median(kind: str, key: str) -> float:
        return statistics.median(r[kind][key] for r in runs)

    full_cpu = statistics.median(r["full"]["python_cpu_s"] + r["full"]["db_cpu_s"] for r in runs)
    return {
        "leases": size,
        "catch_up_run": catch_up,
        "runs": runs,
        "full_wall_s": median("full", "wall_s"),
        "full_rows_written": median("full", "rows_written"),
        "full_queries": median("full", "queries"),
        "full_events": median("full", "events"),
        "full_cpu_ms_per_lease": round(full_cpu / size * 1000, 4),
        "rerun_wall_s": median("rerun", "wall_s"),
        "rerun_rows_written": median("rerun", "rows_written"),
        "rerun_changes": max(r["rerun"]["rows"] + r["rerun"]["events"] for r in runs),
        "rerun_queries": median("rerun", "queries"),
        "changes": runs[0]["full"]["changes"],
    }


def commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo_root(),
                            capture_output=True, text=True, check=False)  # fmt: skip
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           cwd=repo_root(), capture_output=True, text=True, check=False)  # fmt: skip
    return result.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def growth_of_cpu(small: dict, large: dict) -> float:
    return (large["full_cpu_ms_per_lease"] * large["leases"]) / (
        small["full_cpu_ms_per_lease"] * small["leases"]
    )


def rerun_ok(size: dict) -> bool:
    return size["rerun_wall_s"] <= TARGETS["rerun_s"] and size["rerun_changes"] == 0


def report(results: dict) -> str:
    sizes = results["sizes"]
    small, large = sizes[0], sizes[-1]
    growth = large["full_wall_s"] / small["full_wall_s"]
    ratio = large["leases"] / small["leases"]
    # CPU per lease is the steadier measure on a shared machine (wall time waits for
    # whatever else runs there).
    cpu_growth = growth_of_cpu(small, large)
    lines = [
        "# bench/rent: the daily rent cycle",
        "",
        f"Commit `{results['commit']}`, {results['when']}; {results['machine']}; python speed "
        f"marker {results['python_speed_us']} µs (benchkit.python_speed_us). Date D = "
        f"{results['day']} (invoices issued for the 1st). Medians of {results['repeat']} runs "
        "per size, each on a fresh copy of the seeded database. How it is measured: "
        "the docstring of bench/rent/run.py.",
        "",
        "| leases | full cycle (s) | rows written | events | queries | CPU per lease (ms) "
        "| re-run (s) | re-run rows written | re-run changes | re-run queries |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in sizes:
        lines.append(
            f"| {s['leases']:,} | {s['full_wall_s']:.2f} | {s['full_rows_written']:,.0f} | "
            f"{s['full_events']:,.0f} | {s['full_queries']:.0f} | {s['full_cpu_ms_per_lease']} | "
            f"{s['rerun_wall_s']:.2f} | {s['rerun_rows_written']:,.0f} | {s['rerun_changes']} | "
            f"{s['rerun_queries']:.0f} |"
        )
    lines += [
        "",
        f"Growth {small['leases']:,} → {large['leases']:,} leases (x{ratio:.0f}): full cycle "
        f"wall time x{growth:.1f}, CPU (process + PostgreSQL backend) x{cpu_growth:.1f} "
        f"({'linear or better' if cpu_growth <= ratio * 1.1 else 'worse than linear'} in CPU; "
        "wall time per run: results.json).",
        "",
        "What the full cycle changed at the largest size: "
        + ", ".join(f"{k} {v:,}" for k, v in large["changes"].items())
        + ".",
        "",
        f"The catch-up run that built the history (day D-1, every lease's current period "
        f"issued at once) at {large['leases']:,} leases: {large['catch_up_run']['wall_s']:.1f} s, "
        f"{large['catch_up_run']['rows']:,} changes, {large['catch_up_run']['events']:,} events, "
        f"{large['catch_up_run']['queries']} queries.",
        "",
        "Targets: full cycle ≤ 60 s → "
        + ("met" if large["full_wall_s"] <= TARGETS["full_cycle_s"] else "**missed**")
        + "; re-run ≤ 10 s with zero changes → "
        + ("met" if rerun_ok(large) else "**missed**")
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite REPORT.md from results.json, measuring nothing")  # fmt: skip
    args = parser.parse_args()
    if args.report_only:
        results = json.loads((HERE / "results.json").read_text())
        (HERE / "REPORT.md").write_text(report(results))
        print(report(results))
        return 0
    day = the_day()
    sizes = [bench_size(size, day, args.repeat) for size in args.sizes]
    load = os.getloadavg()
    results = {
        "commit": commit(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f}/{load[1]:.1f} at the end",
        "python_speed_us": python_speed_us(),
        "day": day.isoformat(),
        "repeat": args.repeat,
        "sizes": sizes,
        "targets": TARGETS,
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "REPORT.md").write_text(report(results))
    print(report(results))
    large = sizes[-1]
    return 0 if large["full_wall_s"] <= TARGETS["full_cycle_s"] and rerun_ok(large) else 1


if __name__ == "__main__":
    raise SystemExit(main())
