"""Gunicorn settings every Django service runs with:
`gunicorn -c python:rentezy_common.gunicorn_conf rentezy_common.wsgi:application`.

Threaded workers keep connections alive, so the gateway's connection pool is reused
instead of opening a TCP connection per request. The keep-alive outlasts the gateway's
idle timeout for pooled connections (30 s), so it is always the gateway that closes an
idle connection, never the service mid-reuse.
"""

import json
import os

from gunicorn import util

# GUNICORN_WORKER_CLASS exists to measure the alternatives (bench/profiles --env); the
# platform runs gthread (bench/README.md has the figures).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Load Django in the master before the port is bound: while a restarted service loads,
# connections are refused (the gateway answers 503 at once) instead of waiting in the
# listen backlog for workers that are still importing; workers then fork ready to serve.
preload_app = True
# Logs: the services write their own JSON access lines; errors go to stderr.
accesslog = None
errorlog = "-"
# Above the gateway's own limits (GATEWAY_MAX_URL_BYTES 8192, GATEWAY_MAX_HEADER_BYTES
# 32768), so whatever the gateway lets through, a service parses.
limit_request_line = 16384
limit_request_field_size = 32768


def write_json_error(sock, status_int, reason, mesg):
    """gunicorn's own answers (a malformed request line, headers over the limits, a
    crashed worker) in the platform's error shape instead of an HTML page."""
    code = {400: "bad_request", 403: "permission_denied", 500: "internal_error"}.get(
        status_int, "error"
    )
    body = json.dumps({"error": {"code": code, "message": mesg or reason, "details": None}})
    data = body.encode("utf-8")
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + data)


# Workers are forked from the master that read this file, so they inherit the patch.
util.write_error = write_json_error


def post_fork(server, worker):
    """A worker is told (SIGTERM) the moment its master dies, instead of noticing on its
    next loop: a master killed outright (`kill -9`, the OOM killer) must not leave
    workers that hold the port and keep-alive connections while the supervisor starts
    a new master. SIGTERM is a graceful stop: requests in flight finish."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError):  # not Linux: the worker's own parent check remains
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def post_worker_init(worker):
    """Once a worker has loaded Django and the service, hide everything loaded so far
    from the garbage collector: a full collection then scans only what requests
    allocate, instead of the whole framework (tens of ms, stalling every thread)."""
    import gc

    gc.collect()
    gc.freeze()
