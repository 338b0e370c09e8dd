"""Celery app (platform defaults: rentezy_common.celery_app)."""

from rentezy_common.celery_app import make_celery_app

app = make_celery_app()
