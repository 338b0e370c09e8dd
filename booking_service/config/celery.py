"""Celery app (platform defaults: rentezy_common.celery_app) and the booking sweeper."""

from django.conf import settings

from rentezy_common.celery_app import make_celery_app

app = make_celery_app(
    beat_schedule={
        "booking-sweep": {"task": "bookings.sweep", "schedule": settings.BOOKING_SWEEP_SECONDS},
    }
)
