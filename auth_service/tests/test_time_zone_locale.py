"""A user's time zone (IANA) and locale (BCP 47): chosen at registration (the web app
sends the browser's) and in the profile, validated, announced in user-events."""

import pytest
from accounts.models import User, normalize_locale

from rentezy_common.events.models import OutboxEvent

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_register_defaults_to_utc_and_english(register):
    response = register()
    assert response.status_code == 201, response.json()
    user = response.json()["user"]
    assert (user["time_zone"], user["locale"]) == ("UTC", "en")


def test_register_with_the_browsers_choice(register):
    response = register(time_zone="Asia/Kolkata", locale="en-in")
    assert response.status_code == 201, response.json()
    body = response.json()["user"]
    assert (body["time_zone"], body["locale"]) == ("Asia/Kolkata", "en-IN")
    event = OutboxEvent.objects.get(aggregate_id=body["id"], event_type="user.registered")
    assert (event.payload["time_zone"], event.payload["locale"]) == ("Asia/Kolkata", "en-IN")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus_Mons"),
        ("time_zone", "asia/kolkata"),  # names are case-sensitive
        ("time_zone", ""),
        ("locale", "english"),
        ("locale", "en-"),
        ("locale", "en-IN-x-private"),
        ("locale", ""),
    ],
)
def test_bad_values_are_named(register, user, field, value):
    response = register(**{field: value})
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    patched = client_for(user).patch("/api/auth/me", {field: value}, format="json")
    assert patched.status_code == 400
    assert field in patched.json()["error"]["details"]


def test_profile_shows_and_changes_them(user):
    me = client_for(user).get("/api/auth/me").json()
    assert (me["time_zone"], me["locale"]) == ("UTC", "en")

    response = client_for(user).patch(
        "/api/auth/me", {"time_zone": "Europe/Paris", "locale": "fr-FR"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["time_zone"], response.json()["locale"]) == ("Europe/Paris", "fr-FR")
    user.refresh_from_db()
    assert (user.time_zone, user.locale) == ("Europe/Paris", "fr-FR")
    event = OutboxEvent.objects.filter(aggregate_id=str(user.pk)).latest("seq")
    assert event.event_type == "user.updated"
    assert (event.payload["time_zone"], event.payload["locale"]) == ("Europe/Paris", "fr-FR")


def test_the_same_values_announce_nothing(user):
    before = OutboxEvent.objects.count()
    response = client_for(user).patch(
        "/api/auth/me", {"time_zone": "UTC", "locale": "EN"}, format="json"
    )
    assert response.status_code == 200
    assert OutboxEvent.objects.count() == before


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("en", "en"),
        ("EN-in", "en-IN"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("de-CH-1996", "de-CH-1996"),
        ("pt_BR", "pt-BR"),
    ],
)
def test_locale_case_is_canonical(raw, canonical):
    assert normalize_locale(raw) == canonical


def test_the_database_default_for_existing_users(db):
    user = User.objects.create_user(
        email="old@example.com", password="x-long-pass-1", full_name="O"
    )
    assert (user.time_zone, user.locale) == ("UTC", "en")
