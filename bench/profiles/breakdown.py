"""Where the samples of a py-spy profile go, in the buckets bench/README.md uses.

    .venv/bin/python bench/profiles/breakdown.py [KIND.SIDE ...]

Reads the collapsed stacks `run.py --profile` leaves in .rentezy/bench-profiles/ (py-spy's
raw format, recorded with `--gil`: each sample is a moment a thread held the GIL, so the
shares are shares of the service's Python CPU). Each sample goes to the first bucket
whose marker appears in any of its frames, in the order below: the order decides, for
instance, that the SQL a Stripe call never makes is not counted twice.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

STACKS = Path(__file__).resolve().parents[2] / ".rentezy" / "bench-profiles"

# (bucket, markers): the first bucket with a marker in the stack takes the sample.
BUCKETS = [
    ("DB health check per request", ("close_if_health_check_failed",)),
    ("nonce claim (Redis SET NX)", ("NonceStore.claim",)),
    ("Stripe Checkout Session", ("stripe/",)),
    ("Celery task publish (kombu, Redis)", ("celery/", "kombu/")),
    ("access log (JSON)", ("RequestContextMiddleware._finish", "logging/__init__")),
    ("SQL round trips (psycopg)", ("psycopg/",)),
    ("ORM (query building, models)", ("django/db/",)),
    ("Redis, other", ("redis/",)),
    ("outbox, events", ("rentezy_common/events/",)),
    ("request validation (serializers)", ("rest_framework/serializers", "rest_framework/fields")),
    ("response rendering (JSON)", ("rest_framework/renderers", "rest_framework/response")),
    ("signature check (HMAC, headers)", ("GatewayIdentityMiddleware._check",)),
    ("view and service code", ("views.py", "services.py", "selectors.py")),
    ("DRF dispatch (auth, permissions, negotiation)", ("rest_framework/",)),
    ("Django handler and middleware", ("django/", "rentezy_common/middleware")),
    ("gunicorn (accept, poll, HTTP parsing, threads)", ("gunicorn/", "concurrent/futures")),
    ("gateway (edge)", ("edge/",)),
    ("uvicorn, asyncio", ("uvicorn/", "asyncio/")),
]


def breakdown(path: Path) -> dict[str, float]:
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        for bucket, markers in BUCKETS:
            if any(marker in stack for marker in markers):
                counts[bucket] += samples
                break
        else:
            counts["other"] += samples
    shares = {bucket: round(100 * n / total, 1) for bucket, n in counts.most_common()}
    return {"samples": total, **shares}


def main() -> int:
    names = sys.argv[1:] or sorted(p.name[: -len(".txt")] for p in STACKS.glob("*.txt"))
    out = {name: breakdown(STACKS / f"{name}.txt") for name in names}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
