"""Playwright in Debian's Chromium against the platform (conftest.py). The browser tests
report test by test in their own JUnit file (run_tests.py merges it into the target's)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def test_playwright(platform, mailbox):
    env = {
        **os.environ,
        "BASE_URL": platform["gateway"].url,
        "MAILBOX_URL": mailbox,
        "RENTEZY_ENV": os.environ.get("RENTEZY_ENV", "test"),
    }
    # WEB_SPECS narrows the run to some spec files (`WEB_SPECS=e2e/rent-visits.spec.ts make
    # test T=tests/web`); by default every spec runs.
    specs = os.environ.get("WEB_SPECS", "").split()
    result = subprocess.run(
        ["npx", "playwright", "test", *specs], cwd=FRONTEND, env=env, check=False
    )
    assert result.returncode == 0, "browser tests failed (their report: playwright.xml)"
