"""Gunicorn settings every Django service runs with:
`gunicorn -c python:rentezy_common.gunicorn_conf rentezy_common.wsgi:application`.

Threaded workers keep connections alive, so the gateway's connection pool is reused
instead of opening a TCP connection per request. The keep-alive outlasts the gateway's
idle timeout for pooled connections (30 s), so it is always the gateway that closes an
idle connection, never the service mid-reuse.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Logs: the services write their own JSON access lines; errors go to stderr.
accesslog = None
errorlog = "-"


def post_worker_init(worker):
    """Once a worker has loaded Django and the service, hide everything loaded so far
    from the garbage collector: a full collection then scans only what requests
    allocate, instead of the whole framework (tens of ms, stalling every thread)."""
    import gc

    gc.collect()
    gc.freeze()
