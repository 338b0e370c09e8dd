"""Run the gateway: `python -m edge.serve` (the Procfile's web process, and containers).

Uvicorn with uvloop and httptools, GATEWAY_WORKERS processes (default 2), on two
listeners: the public one ($PORT, on GATEWAY_HOST) and the internal metrics one
(GATEWAY_METRICS_PORT, on GATEWAY_METRICS_HOST), so `/metrics` is never on the public
edge. Connections go through edge.protocol (header timeout, size limits, connections per
IP, JSON errors). With more than one worker, Prometheus metrics are aggregated through a
fresh PROMETHEUS_MULTIPROC_DIR (under $STATE_DIR, or a temporary directory).
"""

import os
import shutil
import socket
import tempfile
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess


def _listener(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def main() -> None:
    workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        state = os.environ.get("STATE_DIR") or tempfile.mkdtemp(prefix="rentezy-gateway-")
        metrics_dir = Path(state) / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    config = uvicorn.Config(
        "config.asgi:application",
        host=os.environ.get("GATEWAY_HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        workers=workers,
        loop="uvloop",
        http="edge.protocol:GuardedHttpProtocol",
        ws="websockets-sansio",
        lifespan="on",
        access_log=False,  # the gateway writes its own JSON access log
        proxy_headers=False,  # client IPs: GATEWAY_TRUSTED_PROXY_HOPS, not uvicorn's guess
        server_header=False,  # no "server: uvicorn" (and none from upstreams either)
        log_config=None,  # Django's LOGGING (JSON) applies
        timeout_graceful_shutdown=10,
    )
    sockets = [
        config.bind_socket(),
        _listener(
            os.environ.get("GATEWAY_METRICS_HOST", "127.0.0.1"),
            int(os.environ.get("GATEWAY_METRICS_PORT", "8090")),
        ),
    ]
    if workers > 1:
        Multiprocess(config, sockets=sockets).run()
    else:
        uvicorn.Server(config).run(sockets=sockets)


if __name__ == "__main__":
    main()
