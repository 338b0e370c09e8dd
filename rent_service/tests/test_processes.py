"""Real processes: the Celery worker charges the autopay attempts the cycle queues (by
name, in batches), and `manage.py run_rent_cycle` runs a date and a range."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date, timedelta

import pytest
from leases.models import AutopayAttempt

from rentezy_common.testing.clients import GatewayClient
from rentezy_common.testing.processes import ServiceProcess, manage, settings_database_url
from tests.conftest import invoices, make_lease, run, save_card

pytestmark = pytest.mark.usefixtures("empty_queue")


def celery_worker(env: dict | None = None) -> ServiceProcess:
    """The Procfile's worker, on this test database and the test Redis database."""
    return ServiceProcess.python(
        "rent_service",
        "-m", "celery", "-A", "config.celery", "worker", "--hostname",
        f"rent-test-{uuid.uuid4().hex[:6]}@%h", "--concurrency", "1", "--queues", "rent",
        "--loglevel", "INFO", "--without-heartbeat", "--without-mingle", "--without-gossip",
        env={"DATABASE_URL": settings_database_url(), **(env or {})},
        ready_path=None,
        name="rent-celery",
    )  # fmt: skip


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.2)
    return value


@pytest.mark.django_db(transaction=True)
def test_the_worker_charges_what_the_cycle_queues(landlord):
    start = (date.today().replace(day=1) + timedelta(days=75)).replace(day=1)
    tenants = [GatewayClient(user_id=f"w{uuid.uuid4().hex[:8]}", role="tenant") for _ in range(3)]
    leases = [make_lease(landlord, t.user_id, start_date=start, due_day=1) for t in tenants]
    for tenant, lease in zip(tenants, leases, strict=True):
        save_card(tenant, lease)
    run(start - timedelta(days=7))
    # stripe-mock sends no webhooks: the simulator posts Stripe's answer to the web server.
    web = ServiceProcess.gunicorn("rent_service", env={"DATABASE_URL": settings_database_url()})
    hook = {"PAYMENT_SIMULATOR_WEBHOOK_URL": f"{web.url}/api/rent/stripe/webhook/"}
    with web, celery_worker(hook):
        run(start)  # queues the three attempts; the worker charges them (stripe-mock)
        wait_for(lambda: all(invoices(x)[0].status == "paid" for x in leases))
    assert [a.status for a in AutopayAttempt.objects.all()] == ["succeeded"] * 3


@pytest.mark.django_db(transaction=True)
def test_the_cycle_command_runs_a_date_and_a_range(landlord, tenant):
    start = (date.today().replace(day=1) + timedelta(days=75)).replace(day=1)
    lease = make_lease(landlord, tenant.user_id, start_date=start, due_day=1)
    env = {"DATABASE_URL": settings_database_url()}
    out = manage("rent_service", "run_rent_cycle", "--date",
                 (start - timedelta(days=7)).isoformat(), env=env).stdout  # fmt: skip
    assert json.loads(out.splitlines()[-1])["changes"]["invoices"] == 1
    out = manage("rent_service", "run_rent_cycle", "--from", (start - timedelta(days=7)).isoformat(),
                 "--to", (start + timedelta(days=1)).isoformat(), env=env).stdout  # fmt: skip
    days = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(days) == 9 and days[0]["changes"]["invoices"] == 0
    assert len(invoices(lease)) == 1
