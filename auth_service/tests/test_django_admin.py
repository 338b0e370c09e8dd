"""Django admin at /admin/ (operators, by port-forward) and admin creation."""

import pytest
from accounts.models import User, UserSession
from django.core.management import CommandError, call_command
from django.test import Client

from rentezy_common.events.models import OutboxEvent

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_createsuperuser_makes_an_admin(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", interactive=False, email="Root@Example.com", full_name="Root Admin"
    )

    admin = User.objects.get()
    assert admin.email == "root@example.com"
    assert admin.role == "admin"
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(PASSWORD)
    event = OutboxEvent.objects.get()
    assert (event.event_type, event.payload["role"]) == ("user.registered", "admin")


def test_createsuperuser_refuses_a_duplicate_email_in_any_case(monkeypatch, user):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already"):
        call_command(
            "createsuperuser", interactive=False, email=user.email.upper(), full_name="Dup"
        )
    assert not User.objects.filter(role="admin").exists()


def test_create_user_refuses_admins():
    with pytest.raises(ValueError, match="createsuperuser"):
        User.objects.create_user(email="x@example.com", password=PASSWORD, role="admin")


def test_admin_is_reachable_without_the_gateway_but_the_api_is_not():
    browser = Client()
    assert browser.get("/admin/login/").status_code == 200
    assert browser.get("/admin/static/admin/css/base.css").status_code == 200
    # Only the /admin/ prefix is exempt.
    for path in ("/admin", "/api/auth/me", "/internal/introspect", "/administrator/"):
        response = browser.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unsigned_request"


def test_admin_pages_need_an_admin_login(user):
    browser = Client()
    assert browser.get("/admin/accounts/user/").status_code == 302  # to the login page
    # A tenant's valid credentials do not open the admin: only admins are staff.
    assert browser.login(username=user.email, password=PASSWORD)
    assert browser.get("/admin/accounts/user/").status_code == 302


def test_admin_login_and_user_list(admin_user, user):
    browser = Client()
    response = browser.post(
        "/admin/login/?next=/admin/",
        {"username": admin_user.email.upper(), "password": PASSWORD},
    )
    assert response.status_code == 302, response.content[:500]
    page = browser.get("/admin/accounts/user/")
    assert page.status_code == 200
    assert user.email in page.content.decode()


def test_admin_login_is_locked_out_too(admin_user):
    browser = Client()
    for _ in range(5):
        browser.post("/admin/login/", {"username": admin_user.email, "password": "wrong"})
    assert not browser.login(username=admin_user.email, password=PASSWORD)


def test_deactivating_in_the_admin_goes_through_the_service(admin_user, user, login, introspect):
    access = login(user.email).json()["access"]
    browser = Client()
    browser.force_login(admin_user)

    session = UserSession.objects.get(user=user)

    response = browser.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "full_name": "Renamed",
            "phone": user.phone,
            # is_active left unticked
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "1",
            "sessions-0-id": str(session.pk),
            "sessions-0-user": str(user.pk),
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    user.refresh_from_db()
    assert (user.is_active, user.full_name) == (False, "Renamed")
    assert introspect(access) == {"active": False}
    assert UserSession.objects.get(user=user).revoke_reason == "deactivated"
    types = set(
        OutboxEvent.objects.filter(aggregate_id=str(user.pk)).values_list("event_type", flat=True)
    )
    assert {"user.updated", "user.deactivated"} <= types


def test_admins_cannot_add_or_delete_users_in_the_admin(admin_user, user):
    browser = Client()
    browser.force_login(admin_user)
    assert browser.get("/admin/accounts/user/add/").status_code == 403
    assert browser.get(f"/admin/accounts/user/{user.pk}/delete/").status_code == 403


def test_admin_api_via_gateway_works_for_createsuperuser_admins(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, email="ops@example.com", full_name="Ops")
    admin = User.objects.get(email="ops@example.com")
    assert client_for(admin).get("/api/auth/users").status_code == 200
