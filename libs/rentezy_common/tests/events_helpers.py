"""Helpers for the event tests: build envelopes, produce raw messages, run a relay."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.db import connections

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.events.outbox import OutboxRelay, outbox_lag
from rentezy_common.testing.kafka import produce  # noqa: F401 - the tests import it from here

REPO = Path(__file__).resolve().parents[3]
INFRA = REPO / "scripts" / "infra.sh"


def envelope(aggregate_id: str, version: int = 1, **payload) -> EventEnvelope:
    return EventEnvelope(
        id=uuid.uuid4(),
        type="thing.happened",
        source="test",
        aggregate_type="thing",
        aggregate_id=aggregate_id,
        version=version,
        occurred_at=datetime.now(UTC),
        payload=payload,
    )


def drain_outbox(relay: OutboxRelay, *, timeout: float = 60.0, threads: int = 1) -> None:
    """Run relay loops in background threads until the outbox is empty."""
    stop = threading.Event()

    def loop():
        try:
            relay_ = (
                relay
                if threads == 1
                else OutboxRelay(
                    batch_size=relay.batch_size,
                    delivery_timeout_ms=relay.delivery_timeout_ms,
                    backoff_base=relay.backoff_base,
                    backoff_max=relay.backoff_max,
                )
            )
            relay_.run(stop)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + timeout
        while outbox_lag()["pending"] and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
    assert outbox_lag()["pending"] == 0, "relay did not drain the outbox in time"


def run_command_until_then_sigterm(args, done, *, what: str, env=None, timeout: float = 60) -> str:
    """Run a management command of the test project against the test database until
    `done()` holds, then send SIGTERM; assert it exits 0 and return its log (stderr)."""
    import os
    import signal
    import subprocess
    import sys

    from django.conf import settings

    database = settings.DATABASES["default"]
    process = subprocess.Popen(
        [sys.executable, "-m", "django", *args],
        cwd=REPO / "libs" / "rentezy_common",
        env={
            **os.environ,
            "RENTEZY_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "tests.testproject.settings",
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
                f"{database['PORT']}/{database['NAME']}"
            ),
            **(env or {}),
        },
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"{what} within {timeout}s"
            assert process.poll() is None, process.stderr.read()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    return process.stderr.read()
