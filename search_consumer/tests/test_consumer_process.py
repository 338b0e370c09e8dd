"""The Procfile's consumer process, as `make up` runs it: indexes, then stops on SIGTERM."""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rentezy_common.search.indices import alias_targets
from rentezy_common.search.testing import property_snapshot, snapshot_envelope
from rentezy_common.testing.processes import settings_database_url
from tests.conftest import produce, searchable_ids

pytestmark = pytest.mark.django_db

SERVICE_DIR = Path(__file__).resolve().parent.parent


def procfile_command(kind: str) -> list[str]:
    for line in (SERVICE_DIR / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind and not line.startswith("#"):
            return shlex.split(command)
    raise AssertionError(f"no {kind!r} process in the Procfile")


def test_procfile_consumer_indexes_events_and_stops_on_sigterm(topic, search_alias_name):
    command = procfile_command("consumer")
    assert command[:3] == ["python", "manage.py", "run_consumer"]
    process = subprocess.Popen(
        [sys.executable, *command[1:]],
        cwd=SERVICE_DIR,
        env={
            **os.environ,
            "RENTEZY_ENV": "test",
            "SEARCH_PROPERTY_TOPIC": topic,
            "SEARCH_INDEX_ALIAS": search_alias_name,
            "DATABASE_URL": settings_database_url(),
        },
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        listing = property_snapshot()
        produce(topic, [snapshot_envelope(listing, version=1)])
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read()
            # The alias appears once the consumer has started.
            if alias_targets(search_alias_name) and listing["id"] in searchable_ids(
                search_alias_name
            ):
                break
            assert time.monotonic() < deadline, "the consumer never indexed the listing"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    log = process.stderr.read()
    assert '"consumer stopped"' in log
