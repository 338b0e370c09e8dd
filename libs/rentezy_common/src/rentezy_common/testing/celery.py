"""A service's Celery worker in tests, as its Procfile runs it, and waiting for what it
does.

    worker = celery_worker("booking_service", "booking").start()
    wait_for(lambda: Booking.objects.filter(status="EXPIRED").exists())
    worker.stop()
    purge_queue()
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from .processes import ServiceProcess, settings_database_url

T = TypeVar("T")


def celery_worker(
    directory: str, queue: str, *, env: dict[str, str] | None = None, concurrency: int = 2
) -> ServiceProcess:
    """The Procfile's worker of the service in `directory`, on this process's test
    database and the service's test Redis database (its broker)."""
    return ServiceProcess.python(
        directory,
        "-m", "celery", "-A", "config.celery", "worker", "--hostname",
        f"{queue}-test-{uuid.uuid4().hex[:6]}@%h", "--concurrency", str(concurrency),
        "--queues", queue, "--loglevel", "INFO", "--without-heartbeat",
        "--without-mingle", "--without-gossip",
        env={"DATABASE_URL": settings_database_url(), **(env or {})},
        ready_path=None,
        name=f"{queue}-celery",
    )  # fmt: skip


def purge_queue() -> None:
    """Drop every task waiting in this service's queue (its `config.celery` app)."""
    from ..tasks import celery_app

    celery_app().control.purge()


def wait_for(predicate: Callable[[], T], timeout: float = 30.0, interval: float = 0.1) -> T:
    """Call `predicate` until it returns something truthy (returned); AssertionError
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


__all__ = ["celery_worker", "purge_queue", "wait_for"]
