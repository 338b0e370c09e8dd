"""Celery app (platform defaults: rentezy_common.celery_app) and the reminder sweep."""

import os

from django.conf import settings

from rentezy_common.celery_app import make_celery_app

# `celery -A config.celery worker|beat` (the Procfile) starts without manage.py, and the
# schedule below reads a setting before make_celery_app() would set this default.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = make_celery_app(
    beat_schedule={
        # Reminders 24 h and 1 h before each confirmed visit: found by this sweep (a
        # visit may be months ahead, past any countdown Redis keeps), sent once each.
        "visits-queue-reminders": {
            "task": "visits.queue_reminders",
            "schedule": settings.VISITS_REMINDER_SWEEP_SECONDS,
        },
    }
)
