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
    """CPU seconds (user + system) used so far by these processes (0 for one gone)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total
