"""Celery app (platform defaults: rentezy_common.celery_app), the delivery sweeper and
the chat digest."""

import os

from django.conf import settings

from rentezy_common.celery_app import make_celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = make_celery_app(
    beat_schedule={
        "notification-sweep": {
            "task": "notifications.sweep",
            "schedule": settings.NOTIFICATION_SWEEP_SECONDS,
        },
        "notification-chat-digest": {
            "task": "notifications.chat_digest",
            "schedule": settings.NOTIFICATION_CHAT_DIGEST_CHECK_SECONDS,
        },
    }
)
