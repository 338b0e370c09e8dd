"""What more than one benchmark needs: the Go load generator and processes' CPU time.

Each `bench/<name>/run.py` puts bench/ on sys.path and imports from here."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def build_loadgen() -> Path:
    """Build bench/loadgen with the Go toolchain into .rentezy/bin/loadgen."""
    from rentezy_common.testing.processes import repo_root

    out = repo_root() / ".rentezy" / "bin" / "loadgen"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["go", "build", "-o", str(out), "."],
        cwd=BENCH / "loadgen",
        check=True,
        env={**os.environ, "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"},
    )
    return out


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes and by their children
    that have ended (0 for a process gone). Counting ended children keeps the figure
    from going down when, say, a PostgreSQL backend exits: its time moves to the
    postmaster's."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / ticks
    return total


def python_speed_us() -> float:
    """Microseconds CPython takes for `sum(range(1000))` here (median of 7): a marker of
    this machine's speed per core, printed with each report so that figures from another
    machine can be scaled (the lower, the faster)."""
    import statistics
    import timeit

    runs = [timeit.timeit("sum(range(1000))", number=20_000) / 20_000 * 1e6 for _ in range(7)]
    return round(statistics.median(runs), 1)


def pids(pattern: str) -> list[int]:
    """The processes whose command line matches `pattern` (pgrep -f)."""
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


def with_children(pid: int) -> list[int]:
    """`pid` and its direct children (a gunicorn master and its workers)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(child) for child in path.read_text().split()] if path.exists() else []
    return [pid, *children]
