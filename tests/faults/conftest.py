"""The fault suite's platform: private servers (PostgreSQL, Redis, Kafka, Elasticsearch,
stripe-mock, SMTP) on free ports and a state directory of their own, and every service
process under supervisord, started with the same command `make up` runs
(`scripts/dev.py up`). Tests kill processes and stop servers underneath it; nothing
they do reaches a developer's `make up` platform or the other test targets' servers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from rentezy_common.platform import SERVICES
from rentezy_common.testing.users import (
    client_ip,
    listing_payload,
    publish_listing,
    register_and_login,
)

REPO = Path(__file__).resolve().parents[2]
MAIN_STATE = Path(os.environ.get("RENTEZY_STATE", REPO / ".rentezy"))
PASSWORD = "faults-Password-long-1"
HOLD_SECONDS = 8  # booking_service holds in this platform: short, so tests see expiry
SWEEP_SECONDS = 3


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def say(message: str) -> None:
    print(f"[faults] {message}", file=sys.stderr, flush=True)


class Platform:
    """The running platform: its environment, its processes, its servers."""

    def __init__(self, env: dict[str, str], state: Path) -> None:
        self.env = env
        self.state = state
        self.gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        self.conf = state / "supervisord.conf"

    # --- commands --------------------------------------------------------------------------
    def dev(self, *args: str, check: bool = True, timeout: float = 600):
        return subprocess.run(
            [str(REPO / ".venv" / "bin" / "python"), str(REPO / "scripts" / "dev.py"), *args],
            cwd=REPO, env=self.env, check=check, timeout=timeout,
        )  # fmt: skip

    def infra(self, command: str, *components: str) -> None:
        started = time.monotonic()
        subprocess.run(
            [str(REPO / "scripts" / "infra.sh"), command, *components],
            cwd=REPO, env=self.env, check=True, timeout=600,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        say(f"infra {command} {' '.join(components)} ({time.monotonic() - started:.1f} s)")

    def ctl(self, *args: str) -> str:
        result = subprocess.run(
            [str(REPO / ".venv" / "bin" / "supervisorctl"), "-c", str(self.conf), *args],
            env=self.env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return result.stdout

    def pid(self, program: str) -> int:
        return int(self.ctl("pid", program).strip())

    def states(self) -> dict[str, str]:
        states = {}
        for line in self.ctl("status").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                states[parts[0]] = parts[1]
        return states

    def kill(self, program: str) -> int:
        """kill -9 the program's main process (a gunicorn or uvicorn master, a Celery
        worker's parent, a consumer); returns the pid it had."""
        pid = self.pid(program)
        os.kill(pid, signal.SIGKILL)
        say(f"injected: kill -9 {program} (pid {pid})")
        return pid

    def wait_restarted(self, program: str, old_pid: int, timeout: float = 60) -> float:
        """Seconds until supervisord runs the program again under a new pid."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            state = self.states().get(program)
            try:
                pid = self.pid(program)
            except ValueError:
                pid = 0
            if state == "RUNNING" and pid and pid != old_pid:
                elapsed = time.monotonic() - started
                say(f"measured: {program} running again as pid {pid} after {elapsed:.1f} s")
                return elapsed
            time.sleep(0.2)
        raise AssertionError(f"{program} not running again within {timeout} s: {self.states()}")

    def pids(self) -> dict[str, int]:
        return {name: self.pid(name) for name in self.states()}

    def assert_all_running(self) -> None:
        states = self.states()
        assert states and set(states.values()) == {"RUNNING"}, states


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval=0.25):
    started = time.monotonic()
    last = None
    while time.monotonic() - started < timeout:
        try:
            last = predicate()
        except (httpx.HTTPError, OSError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            elapsed = time.monotonic() - started
            say(f"measured: {what} after {elapsed:.1f} s")
            return last
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout} s (last: {last!r})")


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    state = MAIN_STATE / "faults"
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    names = [
        "POSTGRES_PORT", "REDIS_PORT", "KAFKA_PORT", "KAFKA_CONTROLLER_PORT",
        "ELASTICSEARCH_PORT", "ELASTICSEARCH_TRANSPORT_PORT", "STRIPE_MOCK_PORT", "SMTP_PORT",
        "GATEWAY_METRICS_PORT", *(f"{spec.env_prefix}_PORT" for spec in SERVICES.values()),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "RENTEZY_ENV")}
    env.update(zip(names, map(str, free_ports(len(names))), strict=True))
    env.update(
        RENTEZY_STATE=str(state),
        RENTEZY_VENVS=str(MAIN_STATE / "venvs"),  # the service environments `make setup` built
        # Tests stand for many users behind a load balancer: each tells its own address.
        GATEWAY_TRUSTED_PROXY_HOPS="1",
        BOOKING_HOLD_SECONDS=str(HOLD_SECONDS),
        BOOKING_SWEEP_SECONDS=str(SWEEP_SECONDS),
        BOOKING_SWEEP_GRACE_SECONDS="1",
        GATEWAY_BREAKER_RESET_MS="1000",
        # The tests poll for seconds at a time: the per-client budget is not under test.
        GATEWAY_DEFAULT_RATE_LIMIT="100000/minute",
        GATEWAY_WORKERS="1",  # one process: its metrics and breakers are the whole story
        RENTEZY_READY_TIMEOUT="300",
    )
    platform = Platform(env, state)
    started = time.monotonic()
    try:
        platform.dev("up")
        say(f"platform up in {time.monotonic() - started:.0f} s (state {state})")
        yield platform
    finally:
        platform.dev("down", check=False)


@pytest.fixture(scope="session")
def api(platform):
    with httpx.Client(
        base_url=platform.gateway, timeout=30, headers={"X-Forwarded-For": client_ip()}
    ) as client:
        yield client


@pytest.fixture(scope="session")
def user(api):
    """user(role) -> (auth headers, email): registered and logged in, from its own address."""

    def _user(role: str):
        headers, body = register_and_login(api, role, password=PASSWORD)
        return headers, body["email"]

    return _user


@pytest.fixture(scope="session")
def publish(api):
    """publish(landlord_headers, word, units=2) -> (property id, room id), published."""

    def _publish(headers, word: str, units: int = 2) -> tuple[str, str]:
        return publish_listing(api, headers, listing_payload(word), units=units)

    return _publish


def search_ids(api, q: str) -> list[str]:
    response = api.get("/api/search/properties", params={"q": q})
    if response.status_code != 200:
        return []
    return [hit["id"] for hit in response.json()["results"]]


def json_lines(path: Path) -> list[dict]:
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue
    return lines
