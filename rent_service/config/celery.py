"""Celery app (platform defaults: rentezy_common.celery_app), the rent cycle and the
sweeper (docs/services/rent.md)."""

import os

from celery.schedules import crontab
from django.conf import settings

from rentezy_common.celery_app import make_celery_app

# `celery -A config.celery worker|beat` (the Procfile) starts without manage.py, and the
# schedule below reads a setting before make_celery_app() would set this default.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = make_celery_app(
    beat_schedule={
        # Hourly: each lease's day begins at its own midnight (leases.cycle); a tick that
        # finds nothing new costs a re-run (seconds at 100,000 leases: bench/rent).
        "rent-cycle": {"task": "leases.run_cycle", "schedule": crontab(minute=5)},
        "rent-sweep": {"task": "leases.sweep", "schedule": settings.RENT_SWEEP_SECONDS},
        "rent-purge-stripe-events": {
            "task": "leases.purge_stripe_events",
            "schedule": crontab(minute=37, hour=3),
        },
    }
)
