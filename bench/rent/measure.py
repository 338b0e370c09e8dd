"""One measured run of the rent cycle, inside rent_service's own environment (run by
bench/rent/run.py with that service's Python, from rent_service/, on a bench database):

    python measure.py YYYY-MM-DD

Prints one JSON line: wall seconds, what changed (rows, events), queries issued, CPU
seconds of this process and of its PostgreSQL backend."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.getcwd())

import django

django.setup()

from django.db import connection  # noqa: E402
from leases.cycle import run_rent_cycle  # noqa: E402


def backend_cpu(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:13]) / ticks


def main() -> None:
    day = date.fromisoformat(sys.argv[1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    db_before = backend_cpu(backend)
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = run_rent_cycle(day)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "date": result.date,
        "wall_s": round(wall, 3),
        "changes": result.changes,
        "rows": result.total,
        "events": result.events,
        "queries": queries,
        "python_cpu_s": round(after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime, 3),
        "db_cpu_s": round(backend_cpu(backend) - db_before, 3),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
