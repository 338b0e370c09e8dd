"""Run the gateway: `python -m edge.serve` (the Procfile's web process, and containers).

Uvicorn with uvloop and httptools, GATEWAY_WORKERS processes (default 2) on $PORT. With
more than one worker, Prometheus metrics are aggregated through a fresh
PROMETHEUS_MULTIPROC_DIR (under $STATE_DIR, or a temporary directory).
"""

import os
import shutil
import tempfile
from pathlib import Path

import uvicorn


def main() -> None:
    workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        state = os.environ.get("STATE_DIR") or tempfile.mkdtemp(prefix="rentezy-gateway-")
        metrics_dir = Path(state) / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    uvicorn.run(
        "config.asgi:application",
        host=os.environ.get("GATEWAY_HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        workers=workers,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        lifespan="on",
        access_log=False,  # the gateway writes its own JSON access log
        proxy_headers=False,  # client IPs: GATEWAY_TRUSTED_PROXY_HOPS, not uvicorn's guess
        log_config=None,  # Django's LOGGING (JSON) applies
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
