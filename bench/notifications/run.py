"""Notifications benchmark: events -> inbox row + live push (throughput, p50/p99
latency), emails per second to the local SMTP server, CPU per notification.

    make bench B=notifications      (or: .venv/bin/python bench/notifications/run.py)

Real processes on loopback, each as its Procfile runs it: notification_service's web
(uvicorn, 2 workers: the WebSocket pushes), its `activity` consumer and its Celery
worker (concurrency 2), a fresh database of its own, a throwaway booking-events topic,
Redis (the channel layer and the broker), PostgreSQL and the SMTP server of
scripts/infra (aiosmtpd writing a Maildir). The recipients are seeded in the directory
(as user-events would leave them); each has one socket open on the service, the
handshake signed as the gateway signs it (the gateway's own cost is bench/gateway's
subject).

1. Burst: BURST `booking.confirmed` events produced at once (each: a tenant's and a
   landlord's notification, two inbox rows, two pushes, two emails queued), the worker
   stopped: throughput = notifications whose push reached their socket per second,
   from the first event produced to the last push received; CPU of the service's web and
   consumer and of PostgreSQL per notification.
2. Paced: RATE events per second for SECONDS: event -> push latency p50/p95/p99 (the
   event's production to its push arriving at the socket; the inbox row is committed
   before the push is sent).
3. Email: the worker started on the queue the two runs left (one email per
   notification): emails per second until every delivery is sent, the worker's and the
   SMTP server's CPU per email; every delivery sent exactly once (the Maildir counts).

Writes bench/notifications/REPORT.md and results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET
from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.events.topics import TopicSpec, ensure_topics
from rentezy_common.gateway import sign_request
from rentezy_common.logs import new_request_id
from rentezy_common.testing.processes import ServiceProcess, fresh_database, migrate, repo_root

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchkit import pids, process_cpu, python_speed_us, with_children  # noqa: E402

DATABASE = "rentezy_notification_bench"
SECRET = os.environ.get("GATEWAY_SIGNING_SECRET", DEV_GATEWAY_SIGNING_SECRET)
STATE = Path(os.environ.get("RENTEZY_STATE", repo_root() / ".rentezy"))
MAILDIR = STATE / "state" / "smtp" / "maildir"
KAFKA = f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"
REDIS_DB = 27  # a database of its own (the platform's use 0-9, tests 16-26, e2e 28-31)


def pg(url: str):
    return psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)


def seed_directory(url: str, users: int, run: str) -> tuple[list[str], list[str]]:
    """`users` tenants and `users` landlords in the directory, as user-events leave them."""
    tenants = [f"9{run}{n:05d}" for n in range(users)]
    landlords = [f"8{run}{n:05d}" for n in range(users)]
    with pg(url) as conn, conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO notifications_recipient (user_id, email, full_name, role, locale, "
            "time_zone, is_active, email_verified, version, updated_at) VALUES "
            "(%s, %s, %s, %s, 'en', 'Asia/Kolkata', true, true, 1, now())",
            [(u, f"bench-{u}@example.com", f"Tenant {u}", "tenant") for u in tenants]
            + [(u, f"bench-{u}@example.com", f"Landlord {u}", "landlord") for u in landlords],
        )
    return tenants, landlords


def booking_event(tenant: str, landlord: str, property_id: str) -> EventEnvelope:
    """booking.confirmed as docs/contracts/booking-events.md shapes it."""
    now = datetime.now(UTC)
    booking_id = str(uuid.uuid4())
    payload = {
        "id": booking_id, "status": "CONFIRMED", "previous_status": "PENDING", "reason": None,
        "tenant_id": tenant, "owner_id": landlord, "property_id": property_id,
        "room_id": str(uuid.uuid4()), "quantity": 1,
        "move_in_date": (date.today() + timedelta(days=30)).isoformat(), "currency": "INR",
        "monthly_amount": "12000.00", "deposit_amount": "24000.00", "amount": "36000.00",
        "amount_paid": "36000.00", "amount_refunded": "0.00", "refund_status": "",
        "expires_at": None, "checkout_url": "", "last_payment_error": "",
        "created_at": now.isoformat(), "updated_at": now.isoformat(),
        "confirmed_at": now.isoformat(), "ended_at": None,
    }  # fmt: skip
    return EventEnvelope(
        id=uuid.uuid4(), type="booking.confirmed", source="booking", aggregate_type="booking",
        aggregate_id=booking_id, version=2, occurred_at=now, payload=payload,
    )  # fmt: skip


class Sockets:
    """One socket per user on the service, each frame's arrival time recorded by the
    booking it is about."""

    def __init__(self, base: str, users: list[str]) -> None:
        self.base = base.replace("http://", "ws://")
        self.users = users
        self.arrivals: dict[tuple[str, str], float] = {}  # (booking id, user) -> time
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.errors = 0
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _one(self, user: str) -> None:
        import websockets

        path = "/ws/notifications/"
        headers = sign_request(secret=SECRET, method="GET", path=path, query="", user_id=user,
                               role="tenant", request_id=new_request_id(),
                               session_id=uuid.uuid4().hex)  # fmt: skip
        try:
            async with websockets.connect(self.base + path, additional_headers=headers,
                                          max_queue=None) as ws:  # fmt: skip
                await ws.recv()  # ready
                self._connected += 1
                if self._connected == len(self.users):
                    self.ready.set()
                while not self.stop.is_set():
                    try:
                        text = await asyncio.wait_for(ws.recv(), 0.5)
                    except TimeoutError:
                        continue
                    frame = json.loads(text)
                    if frame.get("type") == "notification":
                        booking = frame["notification"]["data"].get("booking_id")
                        self.arrivals[(booking, user)] = time.time()
        except Exception:
            self.errors += 1
            raise

    async def _main(self) -> None:
        self._connected = 0
        await asyncio.gather(*(self._one(u) for u in self.users), return_exceptions=True)

    def start(self) -> None:
        self.thread.start()
        if not self.ready.wait(60):
            raise RuntimeError(f"sockets not ready ({self.errors} failed)")


def produce(producer: Producer, topic: str, events: list[EventEnvelope]) -> dict[str, float]:
    sent = {}
    for event in events:
        producer.produce(topic, value=event.to_json(), key=event.aggregate_id.encode())
        sent[event.aggregate_id] = time.time()
        producer.poll(0)
    producer.flush(30)
    return sent


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def count_mail(prefix: str, *, remove: bool = False) -> int:
    """Mails in the Maildir to this run's addresses (read from each mail's head);
    `remove` deletes them afterwards (the sink keeps every mail of every run)."""
    total = 0
    for sub in ("new", "cur"):
        for path in (MAILDIR / sub).iterdir():
            with path.open("rb") as handle:
                head = handle.read(2048)
            if prefix.encode() in head:
                total += 1
                if remove:
                    path.unlink(missing_ok=True)
    return total


def wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.5)  # polls count(*): do not make PostgreSQL the subject
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="tenants (and as many landlords)")
    parser.add_argument("--burst", type=int, default=1000, help="events produced at once")
    parser.add_argument("--rate", type=float, default=20.0, help="events/s in the paced run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the paced run")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:4]
    run_digits = str(int(run, 16) % 1000).zfill(3)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=repo_root()).stdout.strip()  # fmt: skip
    url = fresh_database(DATABASE)
    topic = f"bench-booking-events-{run}"
    ensure_topics(AdminClient({"bootstrap.servers": KAFKA}), [TopicSpec(topic, 6)])
    env = {
        "DATABASE_URL": url,
        "BOOKING_EVENTS_TOPIC": topic,
        "NOTIFICATION_ACTIVITY_CONSUMER_GROUP": f"bench-notification-{run}",
        "REDIS_URL": f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '6379')}/{REDIS_DB}",
        "LOG_LEVEL": "WARNING",
        "RENTEZY_ENV": "dev",
    }
    migrate("notification_service", env=env)
    tenants, landlords = seed_directory(url, args.users, run_digits)
    property_id = str(uuid.uuid4())
    with pg(url) as conn:
        conn.execute("INSERT INTO notifications_property (id, owner_id, title, time_zone, "
                     "version) VALUES (%s, %s, 'Bench house', 'Asia/Kolkata', 1)",
                     [property_id, landlords[0]])  # fmt: skip
    web = ServiceProcess.python(
        "notification_service", "-m", "uvicorn", "config.asgi:application", "--host",
        "127.0.0.1", "--port", "0", "--workers", "2", "--no-access-log", "--ws",
        "websockets-sansio", env=env, name="bench-notification-web",
    )  # fmt: skip
    web.argv[web.argv.index("0")] = str(web.port)
    consumer = ServiceProcess.python("notification_service", "manage.py", "run_consumer",
                                     "activity", env=env, ready_path=None,
                                     name="bench-notification-activity")  # fmt: skip
    worker = ServiceProcess.python(
        "notification_service", "-m", "celery", "-A", "config.celery", "worker", "--hostname",
        f"bench-notification-{run}@%h", "--concurrency", "2", "--queues", "notification",
        "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip",
        env=env, ready_path=None, name="bench-notification-worker",
    )  # fmt: skip
    postmaster = [int(p) for p in subprocess.run(
        ["pgrep", "-f", f"postgres -D {STATE}/state/postgres"], capture_output=True, text=True
    ).stdout.split()]  # fmt: skip
    smtp_pids = pids(f"aiosmtpd -n -l 127.0.0.1:{os.environ.get('SMTP_PORT', '1025')}")
    results: dict = {"commit": commit, "args": vars(args)}
    sockets = Sockets(web.url, tenants + landlords)
    producer = Producer({"bootstrap.servers": KAFKA, "enable.idempotence": True,
                         "linger.ms": 5})  # fmt: skip
    try:
        web.start(timeout=60)
        consumer.start()
        sockets.start()
        pair = list(zip(tenants, landlords, strict=True))
        # warm up: the consumer joins its group, the first queries are planned
        warm = [booking_event(*pair[i % len(pair)], property_id) for i in range(20)]
        produce(producer, topic, warm)
        wait(lambda: all((e.aggregate_id, e.payload["owner_id"]) in sockets.arrivals
                         for e in warm), 120, "warm-up pushes")  # fmt: skip

        def cpu_groups():
            return {
                "web": process_cpu(with_children(web.pid)),
                "consumer": process_cpu([consumer.pid]),
                "postgresql": process_cpu([p for pm in postmaster for p in with_children(pm)]),
            }

        # 1. burst
        events = [booking_event(*pair[i % len(pair)], property_id) for i in range(args.burst)]
        before = cpu_groups()
        started = time.time()
        sent = produce(producer, topic, events)
        expected = {(e.aggregate_id, u) for e in events for u in (e.payload["tenant_id"],
                                                                  e.payload["owner_id"])}  # fmt: skip
        wait(lambda: expected <= sockets.arrivals.keys(), 600, "every push of the burst")
        last = max(sockets.arrivals[k] for k in expected)
        after = cpu_groups()
        notifications = len(expected)
        results["burst"] = {
            "events": args.burst,
            "notifications": notifications,
            "seconds": round(last - started, 2),
            "notifications_per_s": round(notifications / (last - started), 1),
            "events_per_s": round(args.burst / (last - started), 1),
            "cpu_ms_per_notification": {
                k: round(1000 * (after[k] - before[k]) / notifications, 2) for k in after
            },
        }
        lat = [1000 * (sockets.arrivals[k] - sent[k[0]]) for k in expected]
        results["burst"]["latency_ms"] = {"p50": round(percentile(lat, 50), 1),
                                          "p99": round(percentile(lat, 99), 1)}  # fmt: skip
        print("burst:", results["burst"], flush=True)

        # 2. paced
        count = int(args.rate * args.seconds)
        paced = [booking_event(*pair[i % len(pair)], property_id) for i in range(count)]
        sent = {}
        t0 = time.time()
        for i, event in enumerate(paced):
            delay = t0 + i / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
            sent.update(produce(producer, topic, [event]))
        expected = {(e.aggregate_id, u) for e in paced for u in (e.payload["tenant_id"],
                                                                 e.payload["owner_id"])}  # fmt: skip
        wait(lambda: expected <= sockets.arrivals.keys(), 300, "every push of the paced run")
        lat = [1000 * (sockets.arrivals[k] - sent[k[0]]) for k in expected]
        results["paced"] = {
            "events_per_s": args.rate,
            "events": count,
            "notifications": len(expected),
            "latency_ms": {q: round(percentile(lat, int(q[1:])), 1) for q in ("p50", "p95", "p99")},
            "max_ms": round(max(lat), 1),
        }
        print("paced:", results["paced"], flush=True)
        with pg(url) as conn:
            rows = conn.execute("SELECT count(*) FROM notifications_notification").fetchone()[0]
            queued = conn.execute("SELECT count(*) FROM notifications_delivery WHERE "
                                  "channel = 'email' AND status = 'queued'").fetchone()[0]  # fmt: skip
        results["inbox_rows"] = rows

        # 3. email
        mails_before = count_mail(f"bench-9{run_digits}") + count_mail(f"bench-8{run_digits}")
        before = {"worker": 0.0, "smtp": process_cpu(smtp_pids),
                  "postgresql": process_cpu([p for pm in postmaster for p in with_children(pm)])}  # fmt: skip
        started = time.time()
        worker.start()

        def sent_count():
            with pg(url) as conn:
                return conn.execute("SELECT count(*) FROM notifications_delivery WHERE "
                                    "channel = 'email' AND status = 'sent'").fetchone()[0]  # fmt: skip

        wait(lambda: sent_count() >= queued, 900, "every email sent")
        took = time.time() - started
        worker_pids = with_children(worker.pid)
        after = {"worker": process_cpu(worker_pids), "smtp": process_cpu(smtp_pids),
                 "postgresql": process_cpu([p for pm in postmaster for p in with_children(pm)])}  # fmt: skip
        time.sleep(2)
        mails = (
            count_mail(f"bench-9{run_digits}") + count_mail(f"bench-8{run_digits}") - mails_before
        )
        with pg(url) as conn:
            attempts = conn.execute("SELECT coalesce(max(attempts), 0), count(*) FILTER "
                                    "(WHERE status <> 'sent') FROM notifications_delivery "
                                    "WHERE channel = 'email'").fetchone()  # fmt: skip
        results["email"] = {
            "emails": queued,
            "seconds_including_worker_start": round(took, 2),
            "emails_per_s": round(queued / took, 1),
            "mails_in_maildir": mails,
            "max_attempts": attempts[0],
            "not_sent": attempts[1],
            "cpu_ms_per_email": {
                k: round(1000 * (after[k] - before[k]) / max(queued, 1), 2) for k in after
            },
        }
        print("email:", results["email"], flush=True)
        for run_prefix in (f"bench-9{run_digits}", f"bench-8{run_digits}"):
            count_mail(run_prefix, remove=True)
    finally:
        sockets.stop.set()
        for process in (worker, consumer, web):
            process.stop()
        AdminClient({"bootstrap.servers": KAFKA}).delete_topics([topic])
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sum_range_1000_us": python_speed_us(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_report(results)
    return 0


def write_report(r: dict) -> None:
    b, p, e, m = r["burst"], r["paced"], r["email"], r["machine"]
    cpu = b["cpu_ms_per_notification"]
    ecpu = e["cpu_ms_per_email"]
    text = f"""# bench/notifications

Run `make bench B=notifications` (`.venv/bin/python bench/notifications/run.py`). Commit
**{r["commit"]}**; machine: {m["cpus"]} CPUs, Python {m["python"]} (`sum(range(1000))`:
{m["sum_range_1000_us"]} µs), load average at the end {m["loadavg"]}, {m["at"]}.
notification_service as its Procfile runs it (uvicorn with 2 workers for the sockets,
the `activity` consumer, the Celery worker with concurrency 2), a fresh database,
PostgreSQL, Redis, Kafka and the SMTP server of scripts/infra on loopback; {r["args"]["users"]}
tenants and {r["args"]["users"]} landlords in the directory, each with one socket open on
the service (handshakes signed as the gateway signs them). Each event is a contract-shaped
`booking.confirmed`: two notifications (tenant, landlord), two inbox rows, two pushes,
two emails. All processes share the CPUs with whatever else the machine runs (other
platforms were running on it).

## Events -> inbox row + live push

| run | events | notifications | seconds | notifications/s | p50 ms | p99 ms |
|---|---|---|---|---|---|---|
| burst (all produced at once, worker stopped) | {b["events"]} | {b["notifications"]} | {b["seconds"]} | **{b["notifications_per_s"]}** | {b["latency_ms"]["p50"]} | {b["latency_ms"]["p99"]} |
| paced, {p["events_per_s"]:g} events/s | {p["events"]} | {p["notifications"]} | {r["args"]["seconds"]:g} | {2 * p["events_per_s"]:g} | {p["latency_ms"]["p50"]} | **{p["latency_ms"]["p99"]}** (p95 {p["latency_ms"]["p95"]}, max {p["max_ms"]}) |

Latency is from the event's production to its push arriving at the socket; the inbox
row is committed before the push is sent. A burst's latency is mostly waiting in line
(the last event waits for all the others).

CPU per notification (burst, milliseconds): consumer **{cpu["consumer"]}**, web (push)
{cpu["web"]}, PostgreSQL {cpu["postgresql"]}: **{round(sum(cpu.values()), 2)} ms** in all.

## Email

| emails | seconds (from the worker's start) | emails/s | in the Maildir | not sent | most attempts |
|---|---|---|---|---|---|
| {e["emails"]} | {e["seconds_including_worker_start"]} | **{e["emails_per_s"]}** | {e["mails_in_maildir"]} | {e["not_sent"]} | {e["max_attempts"]} |

CPU per email (milliseconds): Celery worker {ecpu["worker"]}, SMTP server (aiosmtpd
writing the Maildir) {ecpu["smtp"]}, PostgreSQL {ecpu["postgresql"]}.

Raw figures: results.json.
"""
    (HERE / "REPORT.md").write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
