"""Reminders 24 h and 1 h before a confirmed visit, by a real Celery worker: each sent
once; the state is re-checked at send time, so a cancelled visit reminds nobody and a
moved one is reminded of its new time only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from visits import policies, services
from visits.models import Visit

from tests.conftest import (
    celery_worker,
    purge_queue,
    request_visit,
    visit_events,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


def reminders(visit_id) -> list[tuple[str, str]]:
    return [
        (e.payload["reminder"], e.payload["start"])
        for e in visit_events(visit_id)
        if e.event_type == "visit.reminder_due"
    ]


def soon(prop, minutes: int) -> str:
    """The slot start `minutes` from now, rounded up to the property's half-hour grid."""
    now = timezone.now().astimezone(policies.zone_of(prop.time_zone))
    at = now.replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    at += timedelta(minutes=(30 - at.minute % 30) % 30)
    if (at.hour, at.minute) == (23, 30):  # the hours end at 23:59: no slot starts here
        at += timedelta(minutes=30)
    return at.isoformat()


@pytest.fixture
def worker():
    purge_queue()
    process = celery_worker().start()
    yield process
    process.stop()
    purge_queue()


@pytest.fixture
def all_day(make_property):
    return make_property(
        auto_confirm=True,
        weekly=[{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(1, 8)],
    )


def test_reminders_are_sent_once_and_only_for_live_visits(worker, tenant, all_day):
    prop = all_day
    kept = request_visit(tenant, prop, soon(prop, 5)).json()  # inside its last hour
    later = request_visit(tenant, prop, soon(prop, 6 * 60)).json()  # inside its last day
    cancelled = request_visit(tenant, prop, soon(prop, 8 * 60)).json()
    moved = request_visit(tenant, prop, soon(prop, 10 * 60)).json()
    assert all(v.get("status") == "CONFIRMED" for v in (kept, later, cancelled, moved))
    tenant.post(f"/api/visits/requests/{cancelled['id']}/cancel/", {"reason": "x"}, format="json")
    new_start = tenant.post(f"/api/visits/requests/{moved['id']}/reschedule/",
                            {"start": soon(prop, 30 * 60)}, format="json").json()["start"]  # fmt: skip

    assert services.reminders_queue() == 3  # kept (1h; its 24h one is skipped), later (24h)
    wait_for(
        lambda: (
            reminders(kept["id"])
            and reminders(later["id"])
            and Visit.objects.filter(pk=kept["id"], reminded_24h_for__isnull=False).exists()
        )
    )
    assert services.reminders_queue() == 0  # sent: a second sweep finds nothing due
    # The same task again (a redelivery, overlapping sweeps) acts once.
    assert services.visit_remind(visit_id=kept["id"], kind="1h") is False
    assert reminders(kept["id"]) == [("1h", kept["start"])]
    assert reminders(later["id"]) == [("24h", later["start"])]
    assert reminders(cancelled["id"]) == [] and reminders(moved["id"]) == []
    assert Visit.objects.get(pk=moved["id"]).start.isoformat().startswith(new_start[:16])


def test_a_moved_visit_is_reminded_of_its_new_time(tenant, all_day, empty_queue):
    prop = all_day
    visit = request_visit(tenant, prop, soon(prop, 20 * 60)).json()
    assert services.visit_remind(visit_id=visit["id"], kind="24h") is True
    moved = tenant.post(f"/api/visits/requests/{visit['id']}/reschedule/",
                        {"start": soon(prop, 22 * 60)}, format="json").json()  # fmt: skip
    assert services.visit_remind(visit_id=visit["id"], kind="24h") is True
    assert [r[1] for r in reminders(visit["id"])] == [visit["start"], moved["start"]]
    tenant.post(f"/api/visits/requests/{visit['id']}/cancel/", {"reason": "x"}, format="json")
    assert services.visit_remind(visit_id=visit["id"], kind="1h") is False
