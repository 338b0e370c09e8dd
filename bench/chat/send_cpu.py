"""CPU per send without the socket: `chat.services.message_send` called N times in one
process against a fresh database, with the statements it issues counted.

    .venv/bin/python bench/chat/send_cpu.py [--code DIR] [-n 2000]

It runs itself again under chat_service's interpreter, from `--code` (default: this
checkout's chat_service/), so the same measurement can be taken of an older version
exported with `git archive`. CPU is the process's own (time.process_time), which other
load on the machine inflates far less than wall-clock time; PostgreSQL's share is not
in it, nor the wake-up's publish (stubbed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "libs" / "rentezy_common" / "src"))


def outer(args) -> int:
    from rentezy_common.testing.processes import fresh_database, migrate, service_python

    code = Path(args.code).resolve()
    env = {"DATABASE_URL": fresh_database("rentezy_chat_send_cpu"), "RENTEZY_ENV": "test"}
    env["CHAT_SEND_LIMIT"] = "100000000"
    migrate("chat_service", env=env)
    return subprocess.run(
        [
            service_python("chat_service"),
            str(Path(__file__).resolve()),
            "--inner",
            "-n",
            str(args.n),
        ],
        cwd=code,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
    ).returncode


def inner(args) -> int:
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from chat import realtime, services
    from chat.models import Conversation, Participant, Property
    from django.db import connection

    prop = Property.objects.create(id=uuid.uuid4(), owner_id="l1", status="published", version=1)
    conversation = Conversation.objects.create(
        tenant_id="t1", landlord_id="l1", property=prop, started_by="t1",
        last_activity_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    for user, role in (("t1", "tenant"), ("l1", "landlord")):
        Participant.objects.create(conversation=conversation, user_id=user, role=role)
    actor = SimpleNamespace(id="t1", role="tenant")
    # The wake-up is the socket's business (bench/chat/run.py measures it): outside an
    # event loop, async_to_sync would start a loop per call, which no server does.
    realtime.publish = lambda user_ids, event: None
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    def send(i: int, client_id: str | None = None):
        return services.message_send(
            actor=actor, conversation_id=conversation.id,
            client_id=client_id or f"c{i}", body=f"hello {i}",
        )  # fmt: skip

    for i in range(50):  # warm up: imports, connections, prepared plans
        send(-1 - i)
    with connection.execute_wrapper(count):
        send(10**9)
        per_send = len(statements)
        statements.clear()
        send(10**9 + 1, client_id="c-1")  # a retry of a stored message
        per_retry = len(statements)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(args.n):
        send(i)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"{args.n} sends: {1000 * cpu / args.n:.2f} ms CPU each (this process), "
        f"{1000 * wall / args.n:.2f} ms wall; statements per send {per_send} "
        f"(a retry: {per_retry}), besides the Redis rate-limit round trip; "
        f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default=str(ROOT / "chat_service"))
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.exit(inner(args) if args.inner else outer(args))
