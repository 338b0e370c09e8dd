"""The operators' admin: read-only pages, and actions that call the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from leases.models import Invoice

from tests.conftest import invoices, make_lease, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Client:
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw-long-enough-1")
    client = Client()
    client.force_login(user)
    return client


def test_pages_are_read_only_and_actions_call_services(operator, landlord, tenant):
    lease = make_lease(landlord, tenant.user_id, start_date=date.today(), late_fee_kind="flat",
                       late_fee_amount="500.00", grace_days=0)  # fmt: skip
    invoice = invoices(lease)[0]
    run(invoice.due_date + timedelta(days=1))
    for url in (
        "/admin/leases/lease/",
        f"/admin/leases/lease/{lease.id}/change/",
        "/admin/leases/invoice/",
        "/admin/leases/payment/",
        "/admin/dead-letters/",
    ):
        assert operator.get(url).status_code == 200, url
    assert operator.get("/admin/leases/lease/add/").status_code == 403
    response = operator.post("/admin/leases/invoice/", {
        "action": "waive_late_fee", "_selected_action": [str(invoice.id)],
    })  # fmt: skip
    assert response.status_code == 302
    assert Invoice.objects.get(pk=invoice.id).entries.filter(kind="waiver").exists()
    operator.post(
        "/admin/leases/invoice/", {"action": "void", "_selected_action": [str(invoice.id)]}
    )
    assert Invoice.objects.get(pk=invoice.id).status == "void"
