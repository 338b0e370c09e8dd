"""Run by tests/deploy with a service's own Python (`.rentezy/venvs/<dir>/bin/python`),
from the service's directory, with exactly the environment a deployment gives it.

Loads the service's Django settings (`django.setup()`), runs Django's system checks, and
for the gateway loads the routing table (which needs UPSTREAM_<NAME>_URL in production).
Prints one JSON object: `ok`, `error` (the exception, when not ok), and what the
deployment files are checked against: the readiness checks (what the service talks
to), its Kafka consumers (topics, dead-letter topic) and the gateway's upstream URLs.
"""

from __future__ import annotations

import io
import json
import os
import sys


def main() -> int:
    report: dict = {"ok": False}
    try:
        sys.path.insert(0, os.getcwd())
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("check", stdout=io.StringIO())
        from rentezy_common.events.consumer import registered_consumers

        report["service"] = settings.SERVICE_NAME
        report["environment"] = settings.RENTEZY_ENV
        report["readiness"] = list(settings.READINESS_CHECKS)
        report["allowed_hosts"] = list(settings.ALLOWED_HOSTS)
        report["consumers"] = {
            name: {"topics": list(spec.topics), "group": spec.group, "dlq": spec.dlq}
            for name, spec in registered_consumers().items()
        }
        if settings.SERVICE_NAME == "gateway":
            from edge.config import load

            report["upstreams"] = {name: up.url for name, up in load().upstreams.items()}
        report["ok"] = True
    except Exception as exc:  # reported to the test, which fails with it
        report["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
