"""Celery with the platform's defaults. A service's `config/celery.py`:

    from rentezy_common.celery_app import make_celery_app
    app = make_celery_app()

Defaults, and why:
- acks late + reject on worker loss: a task whose worker dies is run again, so tasks
  must be idempotent (they take ids and re-check state, see STYLE.md);
- prefetch 1: long tasks don't sit behind a busy worker;
- JSON only: no pickle from the broker;
- time limits: soft 240 s (raises in the task), hard 300 s (kills the child);
- one queue per service: services may share a Redis without taking each other's tasks;
- Redis visibility timeout 2 h: a task is redelivered if unacknowledged this long, so it
  must exceed the longest ETA/countdown we schedule (booking holds are minutes);
- riding out a broker outage: workers and beat reconnect forever (never give up after N
  tries), a publish gives up after about a second (callers log it; sweepers redo the
  work), and every Redis socket has a timeout so nothing hangs on a dead server.
Override any of them with CELERY_* settings.
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.schedules import crontab

PLATFORM_DEFAULTS = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "task_serializer": "json",
    "result_serializer": "json",
    "accept_content": ["json"],
    "task_soft_time_limit": 240,
    "task_time_limit": 300,
    "task_ignore_result": True,
    "broker_connection_retry_on_startup": True,
    "broker_connection_retry": True,
    "broker_connection_max_retries": None,  # forever: an outage is waited out
    "broker_transport_options": {
        "visibility_timeout": 7200,
        "socket_connect_timeout": 2,
        "socket_timeout": 10,  # above the 1 s BRPOP poll
        "socket_keepalive": True,
        "health_check_interval": 10,
    },
    "task_publish_retry_policy": {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    "timezone": "UTC",
    "enable_utc": True,
    "worker_hijack_root_logger": False,  # keep our JSON logging
}


logger = logging.getLogger(__name__)


def _tolerate_lost_connection_on_restore() -> None:
    """Keep a worker alive when Redis drops while it holds unacknowledged messages.

    kombu's Redis transport (5.7) puts those messages back when it closes a channel;
    after a lost connection the channel's connection info is already gone and the
    restore raises AttributeError ('NoneType' object has no attribute 'hostname'). That
    error is not one of the connection errors Celery ignores while reconnecting, so the
    whole worker stopped ("Unrecoverable error") after a 5-second Redis restart with a
    booking hold pending (kombu issues 582 and 970 report the same path). The messages
    are not lost without the restore: they stay in Redis's unacked set, which kombu
    re-queues once their visibility timeout passes, and the services' sweepers redo
    anything due before that (an expired hold, a refund)."""
    from kombu.transport import redis as kombu_redis

    original = kombu_redis.QoS.restore_unacked
    if getattr(original, "rentezy_tolerant", False):
        return

    def restore_unacked(self, client=None):
        try:
            return original(self, client)
        except AttributeError as exc:
            logger.warning(
                "broker connection gone: %d unacknowledged message(s) left for Redis to "
                "redeliver after the visibility timeout (%r)",
                len(self._delivered),
                exc,
            )
            self._delivered.clear()
            return None

    restore_unacked.rentezy_tolerant = True
    kombu_redis.QoS.restore_unacked = restore_unacked


def make_celery_app(*, beat_schedule: dict | None = None) -> Celery:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    _tolerate_lost_connection_on_restore()
    app = Celery(f"rentezy-{settings.SERVICE_NAME}")
    app.conf.update(
        PLATFORM_DEFAULTS,
        broker_url=settings.REDIS_URL,
        task_default_queue=settings.SERVICE_NAME,
        beat_schedule={
            "purge-processed-events": {
                "task": "rentezy_common.tasks.purge_processed_events",
                "schedule": crontab(minute=17, hour=3),
            },
            **(beat_schedule or {}),
        },
    )
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
    app.autodiscover_tasks(["rentezy_common"], related_name="tasks")
    return app
