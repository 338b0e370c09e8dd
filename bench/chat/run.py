"""Chat benchmark: idle sockets per process, fan-out latency across two processes,
messages persisted per second.

    make bench B=chat      (or: .venv/bin/python bench/chat/run.py)

Real processes on loopback: chat_service under uvicorn as its Procfile runs it, but one
worker per process (`--workers 1`) so "per process" means one process; a fresh
database of its own; PostgreSQL and Redis (the channel layer). Sockets go straight to
chat_service with handshakes signed as the gateway signs them (bench/gateway measures
the gateway's own cost). The client is one asyncio process (uvloop) on the same two
CPUs as everything else.

1. Idle sockets: IDLE sockets, each a different user, opened against one chat_service
   process; the process's resident memory before and after gives the memory per socket.
   Every socket must answer a ping at the end. Target: >= 5,000 per process.
2. Fan-out: RATE messages/s for SECONDS, each from a sender whose socket is on one
   process to a receiver on the other (half the pairs A -> B, half B -> A; one
   conversation per pair, RATE/2 pairs so every sender stays at 2 messages/s, under
   the default per-user limit of 30 per 10 s). Latency =
   the receiver's `message.new` minus the moment the sender's frame left; also the
   sender's `ack`. Every receiver must get exactly its messages, in order, once.
   Target: p99 <= 100 ms at 200 messages/s.
3. Persisted: CLOSED senders (half on each process) each send their next message on
   the previous ack, for SECONDS; messages/s counted in PostgreSQL. The per-user limit
   and the frame limit are raised for this phase's processes (configuration,
   CHAT_SEND_LIMIT and CHAT_FRAMES_PER_SECOND): it measures capacity, not the policy.

Bounded: every phase has a count and a deadline; the processes are stopped at the end
(or on an error). Writes bench/chat/REPORT.md and results.json, naming the commit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import redis

from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET
from rentezy_common.gateway import sign_request
from rentezy_common.platform import SERVICES, TEST_REDIS_DB_OFFSET
from rentezy_common.testing.processes import ServiceProcess, fresh_database, migrate, repo_root

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchkit import process_cpu, python_speed_us  # noqa: E402 - bench/ is on the path now

TARGETS = {"idle_sockets_per_process": 5000, "fanout_p99_ms": 100.0, "fanout_rate": 200}
DATABASE = "rentezy_chat_bench"
WS_PATH = "/ws/chat/"
SECRET = os.environ.get("GATEWAY_SIGNING_SECRET", DEV_GATEWAY_SIGNING_SECRET)


def raise_fd_limit() -> int:
    """Sockets are file descriptors: the soft limit (often 1,024) up to the hard one,
    for this process and the servers it starts (they inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def commit_measured() -> str:
    root = repo_root()
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout
    # `XY path` lines (not stripped: X may be a space); this bench's own output files
    # are no change to what it measures.
    own = {str((HERE / name).relative_to(root)) for name in ("REPORT.md", "results.json")}
    files = [line[3:] for line in dirty.splitlines() if line[3:] and line[3:] not in own]
    if not files:
        return head
    return f"{head} (uncommitted changes to: {', '.join(files)})"


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# -- the servers ------------------------------------------------------------------------
class Servers:
    def __init__(self, env: dict) -> None:
        self.database = fresh_database(DATABASE)
        self.env = {"DATABASE_URL": self.database, "RENTEZY_ENV": "test", **env}
        migrate("chat_service", env=self.env)
        self.processes: list[ServiceProcess] = []

    def start(self, name: str) -> ServiceProcess:
        process = ServiceProcess.python(
            "chat_service",
            "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
            "--port", "0", "--workers", "1", "--no-access-log",
            "--ws", "websockets-sansio", "--ws-max-size", "65536",
            env=self.env, name=name,
        )  # fmt: skip
        process.argv[process.argv.index("0")] = str(process.port)
        process.start(timeout=60)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
        self.processes.clear()
        db = SERVICES["chat"].redis_db + TEST_REDIS_DB_OFFSET
        redis.Redis(port=int(os.environ.get("REDIS_PORT", 6379)), db=db).flushdb()

    def seed_pairs(self, prefix: str, count: int) -> list[tuple[str, str, str]]:
        """`count` conversations (tenant, landlord, id) as the API leaves them."""
        pairs = [
            (f"{prefix}-t{i}", f"{prefix}-l{i}", str(uuid.uuid4()), str(uuid.uuid4()))
            for i in range(count)
        ]
        url = self.database.replace("postgres://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO chat_property (id, owner_id, title, status, version, updated_at) "
                "VALUES (%s, %s, 'Bench flat', 'published', 1, now())",
                [(prop, landlord) for _, landlord, _, prop in pairs],
            )
            cursor.executemany(
                "INSERT INTO chat_conversation (id, tenant_id, landlord_id, property_id, "
                "started_by, last_seq, last_activity_at, created_at) "
                "VALUES (%s, %s, %s, %s, %s, 0, now(), now())",
                [(conv, t, landlord, prop, t) for t, landlord, conv, prop in pairs],
            )
            cursor.executemany(
                "INSERT INTO chat_participant (conversation_id, user_id, role, last_read_seq, "
                "unread_count) VALUES (%s, %s, %s, 0, 0)",
                [(conv, t, "tenant") for t, _, conv, _ in pairs]
                + [(conv, landlord, "landlord") for _, landlord, conv, _ in pairs],
            )
        return [(t, landlord, conv) for t, landlord, conv, _ in pairs]

    def messages_in(self, conversations: list[str]) -> int:
        url = self.database.replace("postgres://", "postgresql://")
        with psycopg.connect(url) as conn:
            return conn.execute(
                "SELECT count(*) FROM chat_message WHERE conversation_id = ANY(%s::uuid[])",
                [conversations],
            ).fetchone()[0]


# -- the client -------------------------------------------------------------------------
class Socket:
    """One client socket, signed in as `user_id`; frames are read by a task of its own
    and handed to `on_frame`."""

    def __init__(self, server: ServiceProcess, user_id: str, role: str, on_frame=None):
        self.server, self.user_id, self.role = server, user_id, role
        self.on_frame = on_frame
        self.ready = asyncio.Event()
        self.pongs = 0
        self.ws = None
        self.reader: asyncio.Task | None = None

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        headers = sign_request(
            secret=SECRET,
            method="GET",
            path=WS_PATH,
            user_id=self.user_id,
            role=self.role,
            session_id=f"s-{self.user_id}",
            request_id=uuid.uuid4().hex,
        )
        self.ws = await connect(
            f"ws://127.0.0.1:{self.server.port}{WS_PATH}",
            additional_headers=headers,
            ping_interval=None,  # the app's heartbeat is a frame; uvicorn pings too
            open_timeout=60,
            max_size=2**20,
        )
        self.reader = asyncio.get_running_loop().create_task(self._read())
        await asyncio.wait_for(self.ready.wait(), 60)

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for text in self.ws:
                frame = json.loads(text)
                kind = frame.get("type")
                if kind == "ready":
                    self.ready.set()
                elif kind == "pong":
                    self.pongs += 1
                elif self.on_frame is not None:
                    self.on_frame(self, frame, time.perf_counter())

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        if self.reader is not None:
            self.reader.cancel()


async def open_all(sockets: list[Socket], concurrency: int) -> float:
    """Open every socket, `concurrency` handshakes at a time; seconds taken."""
    gate = asyncio.Semaphore(concurrency)

    async def one(socket: Socket) -> None:
        async with gate:
            await socket.open()

    began = time.perf_counter()
    await asyncio.gather(*(one(s) for s in sockets))
    return time.perf_counter() - began


async def close_all(sockets: list[Socket]) -> None:
    for chunk in range(0, len(sockets), 500):
        await asyncio.gather(*(s.close() for s in sockets[chunk : chunk + 500]))


# -- 1. idle sockets --------------------------------------------------------------------
async def idle_phase(servers: Servers, count: int, concurrency: int, hold: float) -> dict:
    server = servers.start("chat-bench-idle")
    await asyncio.sleep(2)
    base = rss(server.pid)
    load_before = os.getloadavg()
    sockets = [Socket(server, f"idle-{i}", "tenant") for i in range(count)]
    cpu0 = process_cpu([server.pid])
    try:
        took = await open_all(sockets, concurrency)
        cpu_open = process_cpu([server.pid]) - cpu0
        await asyncio.sleep(hold)
        after = rss(server.pid)
        # Still alive: every socket answers a ping frame.
        cpu1 = process_cpu([server.pid])
        for chunk in range(0, count, 500):
            await asyncio.gather(*(s.send({"type": "ping"}) for s in sockets[chunk : chunk + 500]))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(s.pongs for s in sockets) < count:
            await asyncio.sleep(0.2)
        alive = sum(1 for s in sockets if s.pongs)
        # Idle: what the process spends holding them (uvicorn's pings, the layer).
        idle_cpu0 = process_cpu([server.pid])
        await asyncio.sleep(10)
        idle_cpu = (process_cpu([server.pid]) - idle_cpu0) / 10
        result = {
            "sockets": count,
            "alive_at_end": alive,
            "open_seconds": round(took, 1),
            "handshakes_per_s": round(count / took, 0),
            "server_cpu_ms_per_handshake": round(1000 * cpu_open / count, 2),
            "ping_round_cpu_s": round(process_cpu([server.pid]) - cpu1, 2),
            "idle_cpu_fraction": round(idle_cpu, 3),
            "rss_before_mb": round(base / 2**20, 1),
            "rss_after_mb": round(after / 2**20, 1),
            "kb_per_socket": round((after - base) / count / 1024, 1),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        }
    finally:
        await close_all(sockets)
        server.stop()
        servers.processes.remove(server)
    print(f"  idle: {result}", flush=True)
    return result


# -- 2. fan-out across two processes ----------------------------------------------------
class Conversations:
    """Senders on one process, receivers on another; what each got, and when."""

    def __init__(self) -> None:
        self.sent_at: dict[str, float] = {}
        self.acked: dict[str, float] = {}
        self.received: dict[str, float] = {}
        self.order: dict[str, list[int]] = {}
        self.errors: list[dict] = []

    def on_sender(self, socket, frame, now) -> None:
        if frame["type"] == "ack":
            self.acked.setdefault(frame["client_id"], now)
        elif frame["type"] == "error":
            self.errors.append(frame)

    def on_receiver(self, socket, frame, now) -> None:
        if frame["type"] == "message.new":
            message = frame["message"]
            self.received.setdefault(message["client_id"], now)
            self.order.setdefault(frame["conversation_id"], []).append(frame["seq"])

    def latencies(self, got: dict[str, float]) -> list[float]:
        return [1000 * (got[c] - t) for c, t in self.sent_at.items() if c in got]


async def connect_pairs(pairs, a, b, book, concurrency=50):
    """Each pair's sender on one process and its receiver on the other: even pairs
    send from A to B, odd pairs from B to A (every message crosses processes, and
    both processes share the sending)."""
    senders, receivers = [], []
    for i, (tenant, landlord, _) in enumerate(pairs):
        here, there = (a, b) if i % 2 == 0 else (b, a)
        senders.append(Socket(here, tenant, "tenant", book.on_sender))
        receivers.append(Socket(there, landlord, "landlord", book.on_receiver))
    await open_all(senders + receivers, concurrency)
    return senders, receivers


async def fanout_phase(servers: Servers, a, b, rate: int, seconds: float) -> dict:
    pairs = servers.seed_pairs(f"f{rate}-{uuid.uuid4().hex[:6]}", max(1, rate // 2))
    book = Conversations()
    senders, receivers = await connect_pairs(pairs, a, b, book)
    await asyncio.sleep(1)
    total = int(rate * seconds)
    load_before = os.getloadavg()
    cpu0 = process_cpu([a.pid, b.pid])
    began = time.perf_counter()
    lag = []
    try:
        for k in range(total):
            due = began + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                lag.append(-delay)
            i = k % len(pairs)
            client_id = uuid.uuid4().hex
            book.sent_at[client_id] = time.perf_counter()
            await senders[i].send({"type": "send", "conversation_id": pairs[i][2],
                                   "client_id": client_id, "body": f"bench message {k}"})  # fmt: skip
        sent_for = time.perf_counter() - began
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(book.received) < total:
            await asyncio.sleep(0.1)
        cpu = process_cpu([a.pid, b.pid]) - cpu0
        load_after = os.getloadavg()
        await asyncio.sleep(0.5)  # anything arriving twice would arrive now
    finally:
        await close_all(senders + receivers)
    delivered = book.latencies(book.received)
    acks = book.latencies(book.acked)
    in_order = all(seq == sorted(set(seq)) for seq in book.order.values())
    duplicates = sum(len(seq) - len(set(seq)) for seq in book.order.values())
    result = {
        "rate": rate,
        "pairs": len(pairs),
        "sent": total,
        "achieved_rate": round(total / sent_for, 1),
        "client_behind_ms_p99": round(1000 * percentile(lag, 99), 1) if lag else 0.0,
        "delivered": len(book.received),
        "acked": len(book.acked),
        "errors": len(book.errors),
        "error_codes": sorted({e.get("code") for e in book.errors}),
        "in_order": in_order,
        "duplicates": duplicates,
        "p50_ms": round(percentile(delivered, 50), 1),
        "p90_ms": round(percentile(delivered, 90), 1),
        "p99_ms": round(percentile(delivered, 99), 1),
        "max_ms": round(max(delivered), 1) if delivered else None,
        "ack_p50_ms": round(percentile(acks, 50), 1),
        "ack_p99_ms": round(percentile(acks, 99), 1),
        "server_cpu_ms_per_message": round(1000 * cpu / total, 2),
        "stored": servers.messages_in([c for _, _, c in pairs]),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }
    print(f"  fan-out {rate}/s: {result}", flush=True)
    return result


# -- 3. messages persisted per second ---------------------------------------------------
async def persisted_phase(servers: Servers, a, b, senders_count: int, seconds: float) -> dict:
    pairs = servers.seed_pairs(f"p-{uuid.uuid4().hex[:6]}", senders_count)
    book = Conversations()
    senders, receivers = await connect_pairs(pairs, a, b, book)
    acked = [asyncio.Event() for _ in senders]

    def on_ack(index):
        def handler(socket, frame, now):
            book.on_sender(socket, frame, now)
            if frame["type"] in ("ack", "error"):
                acked[index].set()

        return handler

    for index, socket in enumerate(senders):
        socket.on_frame = on_ack(index)
    await asyncio.sleep(1)
    stored0 = servers.messages_in([c for _, _, c in pairs])
    load_before = os.getloadavg()
    cpu0 = process_cpu([a.pid, b.pid])
    stop_at = time.perf_counter() + seconds

    async def loop(index: int) -> int:
        sent = 0
        while time.perf_counter() < stop_at:
            acked[index].clear()
            client_id = uuid.uuid4().hex
            book.sent_at[client_id] = time.perf_counter()
            await senders[index].send({"type": "send", "conversation_id": pairs[index][2],
                                       "client_id": client_id, "body": f"closed loop {sent}"})  # fmt: skip
            await asyncio.wait_for(acked[index].wait(), 30)
            sent += 1
        return sent

    began = time.perf_counter()
    try:
        counts = await asyncio.gather(*(loop(i) for i in range(len(senders))))
        took = time.perf_counter() - began
        cpu = process_cpu([a.pid, b.pid]) - cpu0
        load_after = os.getloadavg()
        stored = servers.messages_in([c for _, _, c in pairs]) - stored0
    finally:
        await close_all(senders + receivers)
    acks = book.latencies(book.acked)
    result = {
        "senders": len(senders),
        "seconds": round(took, 1),
        "sent": sum(counts),
        "stored": stored,
        "persisted_per_s": round(stored / took, 0),
        "errors": len(book.errors),
        "ack_p50_ms": round(percentile(acks, 50), 1),
        "ack_p99_ms": round(percentile(acks, 99), 1),
        "server_cpu_ms_per_message": round(1000 * cpu / max(stored, 1), 2),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }
    print(f"  persisted: {result}", flush=True)
    return result


# -- main -------------------------------------------------------------------------------
async def run(args) -> dict:
    results: dict = {"settings": vars(args), "fd_limit": raise_fd_limit()}
    print(f"== idle sockets ({args.idle} on one process)", flush=True)
    servers = Servers({})
    try:
        results["idle"] = await idle_phase(servers, args.idle, args.concurrency, args.hold)
        print(f"== fan-out across two processes ({args.rates} messages/s)", flush=True)
        a, b = servers.start("chat-bench-a"), servers.start("chat-bench-b")
        results["fanout"] = [
            await fanout_phase(servers, a, b, int(rate), args.seconds)
            for rate in args.rates.split(",")
        ]
    finally:
        servers.stop()
    print(f"== messages persisted ({args.closed} closed-loop senders)", flush=True)
    servers = Servers({"CHAT_SEND_LIMIT": "1000000", "CHAT_FRAMES_PER_SECOND": "1000"})
    try:
        a, b = servers.start("chat-bench-a"), servers.start("chat-bench-b")
        results["persisted"] = await persisted_phase(servers, a, b, args.closed, args.seconds)
    finally:
        servers.stop()
    return results


def summarize(results: dict) -> None:
    idle = results["idle"]
    at_target = next((f for f in results["fanout"] if f["rate"] == TARGETS["fanout_rate"]), None)
    results["met"] = {
        "idle_sockets_per_process": idle["alive_at_end"] >= TARGETS["idle_sockets_per_process"],
        "fanout_p99_ms": at_target is not None
        and at_target["p99_ms"] <= TARGETS["fanout_p99_ms"]
        and at_target["delivered"] == at_target["sent"],
        "nothing_lost_or_doubled": all(
            f["delivered"] == f["sent"] == f["stored"] and f["in_order"] and not f["duplicates"]
            for f in results["fanout"]
        ),
    }
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "python_speed_us": python_speed_us(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit_measured(),
    }


def write_report(results: dict) -> None:
    idle, met, args = results["idle"], results["met"], results["settings"]
    p = results["persisted"]
    machine = results["machine"]
    target = next((f for f in results["fanout"] if f["rate"] == TARGETS["fanout_rate"]), None)

    def yes(ok: bool) -> str:
        return "met" if ok else "NOT met"

    def load(pair) -> str:
        return " / ".join(f"{x:.2f}" for x in pair)

    rows = "\n".join(
        f"| {f['rate']} ({f['achieved_rate']}) | {f['pairs']} | {f['sent']} | {f['delivered']} "
        f"| {f['stored']} | {f['p50_ms']} | {f['p90_ms']} | {f['p99_ms']} | {f['max_ms']} "
        f"| {f['ack_p50_ms']} / {f['ack_p99_ms']} | {f['in_order']}, {f['duplicates']} "
        f"| {f['server_cpu_ms_per_message']} | {load(f['loadavg_after'])} |"
        for f in results["fanout"]
    )
    fanout_line = (
        f"p99 **{target['p99_ms']} ms** (p50 {target['p50_ms']} ms), "
        f"{target['delivered']} of {target['sent']} delivered"
        if target
        else "not measured"
    )
    report = f"""# bench/chat

Run `make bench B=chat` (`.venv/bin/python bench/chat/run.py`). Commit measured:
**{machine["commit"]}**. Machine: {machine["cpus"]} CPUs, Python {machine["python"]}
(`sum(range(1000))` takes {machine["python_speed_us"]} µs), {machine["date"]}.

chat_service under uvicorn as its Procfile runs it (`--ws websockets-sansio
--ws-max-size 65536`) but with one worker per process, PostgreSQL and Redis on
loopback, a fresh database. Sockets connect straight to chat_service with handshakes
signed as the gateway signs them (the gateway's own cost is bench/gateway's subject).
The client is one asyncio process (uvloop); it, the servers, PostgreSQL and Redis share
the same {machine["cpus"]} CPUs, so every latency below includes the client's own
scheduling. File descriptor limit raised to {results["fd_limit"]} for the bench and the
servers it starts.

## Targets

| target | result | |
|---|---|---|
| >= 5,000 idle sockets per process | **{idle["alive_at_end"]} of {idle["sockets"]}** answered a ping after {args["hold"]:.0f} s idle; **{idle["kb_per_socket"]} KiB per socket** (RSS {idle["rss_before_mb"]} → {idle["rss_after_mb"]} MiB) | {yes(met["idle_sockets_per_process"])} |
| fan-out p99 <= 100 ms at 200 messages/s across two processes | {fanout_line} | {yes(met["fanout_p99_ms"])} |
| nothing lost or doubled | every fan-out run: delivered = sent = stored, in order, no duplicate: {met["nothing_lost_or_doubled"]} | {yes(met["nothing_lost_or_doubled"])} |

## Idle sockets (one process)

{idle["sockets"]} sockets (each its own user, {args["concurrency"]} handshakes at a time) opened
in {idle["open_seconds"]} s ({idle["handshakes_per_s"]:.0f} handshakes/s, {idle["server_cpu_ms_per_handshake"]} ms
of server CPU each: signature check, session check and the user's conversations
from PostgreSQL, channel-layer group and presence in Redis). Holding them idle costs the
process {idle["idle_cpu_fraction"]:.1%} of a CPU (uvicorn's protocol pings). Load
average (1/5/15 min) before {load(idle["loadavg_before"])}, after {load(idle["loadavg_after"])}.

## Fan-out: sender on one process → receiver on the other

Half the pairs send from A to B, half from B to A. Senders send at a fixed rate, round-robin over the pairs (2 messages/s per sender,
within the default per-user limit); {args["seconds"]:.0f} s per rate. Latency from the
sender's frame leaving the client to the receiver's `message.new` (in ms); ack = the
sender's `ack` (persisted in PostgreSQL, then acknowledged).

| rate/s (achieved) | pairs | sent | delivered | stored | p50 | p90 | p99 | max | ack p50 / p99 | in order, duplicates | server CPU ms/msg | load after |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
{rows}

## Messages persisted

{p["senders"]} senders in a closed loop (half on each process, each sending its next
message on the previous ack; per-user and frame limits raised for this phase):
**{p["persisted_per_s"]:.0f} messages/s** persisted ({p["stored"]} stored in {p["seconds"]} s,
{p["errors"]} errors), ack p50 {p["ack_p50_ms"]} ms, p99 {p["ack_p99_ms"]} ms,
{p["server_cpu_ms_per_message"]} ms of chat_service CPU per message (both processes). Load
average after: {load(p["loadavg_after"])}.

Raw figures: results.json.
"""
    (HERE / "REPORT.md").write_text(report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=5000, help="idle sockets on one process")
    parser.add_argument("--concurrency", type=int, default=100, help="handshakes at a time")
    parser.add_argument("--hold", type=float, default=10.0, help="seconds the idle sockets idle")
    parser.add_argument("--rates", default="50,100,200", help="fan-out rates, messages/s")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per rate / loop")
    parser.add_argument("--closed", type=int, default=32, help="closed-loop senders")
    args = parser.parse_args()
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - the dev environment has it
        runner = asyncio.run
    results = runner(run(args))
    summarize(results)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_report(results)
    print((HERE / "REPORT.md").read_text())
    return 0 if all(results["met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
