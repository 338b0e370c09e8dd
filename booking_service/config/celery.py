"""Celery app (platform defaults: rentezy_common.celery_app) and the booking sweeper."""

import os

from celery.schedules import crontab
from django.conf import settings

from rentezy_common.celery_app import make_celery_app

# `celery -A config.celery worker|beat` (the Procfile) starts without manage.py, and the
# schedule below reads a setting before make_celery_app() would set this default.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = make_celery_app(
    beat_schedule={
        "booking-sweep": {"task": "bookings.sweep", "schedule": settings.BOOKING_SWEEP_SECONDS},
        "booking-purge-stripe-events": {
            "task": "bookings.purge_stripe_events",
            "schedule": crontab(minute=27, hour=3),
        },
    }
)
