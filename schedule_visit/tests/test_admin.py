"""The operators' Django admin at /admin/: staff only, read-only, and its action (cancel
visits with a reason) goes through the service; dead letters at /admin/dead-letters/."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from visits.models import Visit

from tests.conftest import request_visit, slot_at, visit_events

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "0perator-passphrase-9"


def signed_in() -> Client:
    User.objects.create_superuser("olga", "olga@example.com", STAFF_PASSWORD)
    browser = Client()
    response = browser.post("/admin/login/?next=/admin/",
                            {"username": "olga", "password": STAFF_PASSWORD})  # fmt: skip
    assert response.status_code == 302, response.content[:300]
    return browser


def test_cancel_goes_through_the_service(tenant, prop):
    visit = request_visit(tenant, prop, slot_at(prop)).json()["id"]
    browser = signed_in()
    listed = browser.get("/admin/visits/visit/")
    assert listed.status_code == 200 and visit.encode() in listed.content
    response = browser.post("/admin/visits/visit/", {"action": "cancel",
                            "_selected_action": [visit]}, follow=True)  # fmt: skip
    said = [str(m) for m in response.context["messages"]]
    assert "1 cancelled." in said
    row = Visit.objects.get(pk=visit)
    assert (row.status, row.ended_by) == ("CANCELLED", "admin")
    assert visit_events(visit)[-1].event_type == "visit.cancelled"
    again = browser.post("/admin/visits/visit/", {"action": "cancel",
                         "_selected_action": [visit]}, follow=True)  # fmt: skip
    assert any("cannot become" in str(m) for m in again.context["messages"])
    for page in ("/admin/visits/property/", "/admin/visits/capacity/", "/admin/dead-letters/"):
        assert browser.get(page).status_code == 200, page


def test_the_admin_is_for_staff_only(prop):
    assert Client().get("/admin/visits/visit/").status_code == 302  # to the login page
