"""Preferences per category and channel; security messages always go; one-click
unsubscribe with a signed token, without a login (RFC 8058)."""

from __future__ import annotations

import uuid

import pytest
from django.core import signing
from notifications import handlers, tokens
from notifications.models import Delivery, Notification, Preference

from rentezy_common.testing.clients import GatewayClient
from tests.conftest import apply, as_client, booking_event, booking_payload, envelope

pytestmark = pytest.mark.django_db


def test_defaults_are_everything_on(people):
    tenant, _, _ = people
    prefs = as_client(tenant).get("/api/notifications/preferences/").json()["preferences"]
    assert prefs["bookings"] == {"locked": False, "in_app": True, "email": True}
    assert prefs["security"]["locked"] is True


def test_preferences_are_respected_and_security_is_sent_anyway(people):
    tenant, landlord, property_id = people
    client = as_client(tenant)
    answer = client.put("/api/notifications/preferences/",
                        {"preferences": {"bookings": {"email": False}, "account": {"in_app": False}}},
                        format="json")  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert answer.json()["preferences"]["bookings"] == {
        "locked": False,
        "in_app": True,
        "email": False,
    }
    event = booking_event(booking_payload(tenant["id"], landlord["id"], property_id))
    apply(handlers.on_activity_event, event)
    tenant_email = Delivery.objects.get(notification__event_id=event.id,
                                        notification__recipient_id=tenant["id"], channel="email")  # fmt: skip
    landlord_email = Delivery.objects.get(notification__event_id=event.id,
                                          notification__recipient_id=landlord["id"], channel="email")  # fmt: skip
    assert (tenant_email.status, tenant_email.reason) == ("suppressed", "preference")
    assert landlord_email.status == "queued"
    # a security message: critical, whatever the preferences say
    apply(handlers.on_directory_event, envelope("user.password_changed", "user", tenant, version=3))
    security = Delivery.objects.get(notification__recipient_id=tenant["id"],
                                    notification__kind="user.password_changed", channel="email")  # fmt: skip
    assert security.status == "queued"


def test_a_sign_in_from_a_new_device_is_a_security_message(people):
    tenant, _, _ = people
    for channel in ("in_app", "email"):  # as if stored before the category was locked
        Preference.objects.create(
            user_id=tenant["id"], category="security", channel=channel, enabled=False
        )
    payload = {"user_id": tenant["id"], "device": "Firefox on Windows", "ip": "203.0.113.9",
               "at": "2026-12-03T10:00:00+00:00"}  # fmt: skip
    apply(handlers.on_directory_event,
          envelope("user.new_device_login", "user", payload, version=4))  # fmt: skip
    notification = Notification.objects.get(recipient_id=tenant["id"],
                                            kind="user.new_device_login")  # fmt: skip
    assert notification.category == "security"
    assert notification.title == "New sign-in from Firefox on Windows"
    assert "203.0.113.9" in notification.body
    email = notification.deliveries.get(channel="email")
    assert email.status == "queued"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"preferences": []},
        {"preferences": {}},
        {"preferences": {"bogus": {"email": False}}},
        {"preferences": {"bookings": {"sms": False}}},
        {"preferences": {"bookings": {"email": "no"}}},
        {"preferences": {"bookings": True}},
        ["preferences"],
    ],
)
def test_malformed_preferences_are_400_and_change_nothing(people, body):
    tenant, _, _ = people
    response = as_client(tenant).put("/api/notifications/preferences/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert not Preference.objects.filter(user_id=tenant["id"]).exists()


def test_security_cannot_be_turned_off(people):
    tenant, _, _ = people
    response = as_client(tenant).put(
        "/api/notifications/preferences/",
        {"preferences": {"security": {"email": False}, "chat": {"email": False}}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "locked_preference"
    assert not Preference.objects.filter(user_id=tenant["id"]).exists()  # all or nothing


def test_one_click_unsubscribe_without_login(people):
    tenant, _, _ = people
    token = tokens.unsubscribe_token(user_id=tenant["id"], category="bookings")
    anonymous = GatewayClient()
    page = anonymous.get(f"/api/notifications/unsubscribe/{token}")
    assert page.status_code == 200 and b'<form method="post"' in page.content
    assert not Preference.objects.filter(user_id=tenant["id"]).exists()  # a GET changes nothing
    answer = anonymous.post(f"/api/notifications/unsubscribe/{token}",
                            "List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert answer.json()["unsubscribed"] == {
        "category": "bookings",
        "channel": "email",
        "enabled": False,
    }
    prefs = as_client(tenant).get("/api/notifications/preferences/").json()["preferences"]
    assert prefs["bookings"]["email"] is False and prefs["bookings"]["in_app"] is True


def test_forged_or_expired_unsubscribe_tokens_are_400(people, settings):
    tenant, _, _ = people
    good = tokens.unsubscribe_token(user_id=tenant["id"], category="bookings")
    forged = signing.dumps({"u": tenant["id"], "c": "bookings", "ch": "email"}, salt="other")
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    security = tokens.unsubscribe_token(user_id=tenant["id"], category="security")
    for token in (forged, tampered, "x", security):
        answer = GatewayClient().post(f"/api/notifications/unsubscribe/{token}")
        assert answer.status_code == 400, token
        assert answer.json()["error"]["code"] == "invalid_token"
    settings.NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS = -1  # every token is now too old
    assert GatewayClient().post(f"/api/notifications/unsubscribe/{good}").status_code == 400
    assert not Preference.objects.filter(user_id=tenant["id"]).exists()


def test_turning_in_app_off_keeps_the_inbox_quiet(people):
    tenant, landlord, property_id = people
    as_client(tenant).put("/api/notifications/preferences/",
                          {"preferences": {"bookings": {"in_app": False}}}, format="json")  # fmt: skip
    apply(handlers.on_activity_event,
          booking_event(booking_payload(tenant["id"], landlord["id"], property_id)))  # fmt: skip
    kinds = [n["kind"] for n in as_client(tenant).get("/api/notifications/").json()["results"]]
    assert kinds == ["user.welcome"]
    assert Notification.objects.filter(recipient_id=tenant["id"], kind="booking.confirmed.tenant",
                                       in_inbox=False).exists()  # fmt: skip
    _ = uuid
