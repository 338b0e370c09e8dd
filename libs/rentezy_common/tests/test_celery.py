"""The Celery factory's app runs tasks through the real Redis broker."""

import pytest
from celery.contrib.testing.worker import start_worker

from rentezy_common.celery_app import PLATFORM_DEFAULTS, make_celery_app


@pytest.fixture(scope="module")
def celery_app():
    app = make_celery_app()

    @app.task(name="tests.add")
    def add(x, y):
        return x + y

    return app


def test_platform_defaults(celery_app, settings):
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit == PLATFORM_DEFAULTS["task_time_limit"]
    assert conf.task_default_queue == "libtest"
    assert conf.broker_url == settings.REDIS_URL
    assert "purge-processed-events" in conf.beat_schedule


@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker(celery_app):
    celery_app.conf.task_ignore_result = False
    celery_app.conf.result_backend = celery_app.conf.broker_url
    with start_worker(celery_app, perform_ping_check=False, pool="solo", concurrency=1):
        result = celery_app.tasks["tests.add"].delay(2, 3)
        assert result.get(timeout=20) == 5


@pytest.mark.django_db(transaction=True)
def test_purge_processed_events_keeps_recent_ids():
    import uuid

    from django.db import connection

    from rentezy_common.events.models import ProcessedEvent
    from rentezy_common.tasks import purge_processed_events

    old = ProcessedEvent.objects.create(consumer="c", event_id=uuid.uuid4())
    recent = ProcessedEvent.objects.create(consumer="c", event_id=uuid.uuid4())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rentezy_events_processedevent SET processed_at = now() - interval '30 days' "
            "WHERE id = %s",
            [old.id],
        )
    assert purge_processed_events() == 1
    assert list(ProcessedEvent.objects.values_list("id", flat=True)) == [recent.id]
