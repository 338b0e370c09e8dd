"""The platform the browser tests drive: the end-to-end tests' own (tests/e2e/conftest.py:
every service as its own process on free ports, fresh databases, throwaway topics and
search alias, the production routing table), with the gateway serving the built web app
(frontend/dist, its default) and holds long enough for a person to pay."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("e2e_platform", HERE.parent / "e2e" / "conftest.py")
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)
# A browser pays within seconds, but a loaded CI machine may take longer than the 12 s the
# API tests use to watch a hold expire.
e2e.HOLD_SECONDS = 300

platform = e2e.platform
