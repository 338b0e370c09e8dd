"""The platform the browser tests drive: the end-to-end tests' own (tests/e2e/conftest.py:
every service as its own process on free ports, fresh databases, throwaway topics and
search alias, the production routing table), with the gateway serving the built web app
(frontend/dist, its default) and holds long enough for a person to pay; and the dev
mailbox over the emails it sent."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rentezy_common.testing.processes import free_port

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
_spec = importlib.util.spec_from_file_location("e2e_platform", HERE.parent / "e2e" / "conftest.py")
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)
# A browser pays within seconds, but a loaded CI machine may take longer than the 12 s the
# API tests use to watch a hold expire.
e2e.HOLD_SECONDS = 300

platform = e2e.platform


@pytest.fixture(scope="session")
def mailbox():
    """The dev mailbox (scripts/devmailbox.py) over the Maildir the SMTP server of
    scripts/infra writes, on a free port: the browser tests read the emails the platform
    sent (reset and confirmation links) over HTTP, as a developer does. Yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "devmailbox.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/api/messages", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the dev mailbox did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
