"""A sign-in from a browser or app the account has not used before is announced
(`user.new_device_login`, the security email notification_service sends); the account's
first sign-in and a browser's own updates are not."""

from __future__ import annotations

import pytest
from accounts.devices import device_label
from accounts.models import KnownDevice

from rentezy_common.events.models import OutboxEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (CHROME_LINUX.format(v=131), "Chrome on Linux"),
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32.3", "a Python script"),
        ("", "an unknown device"),
        ("\x00" * 5000, "an unknown device"),
    ],
)  # fmt: skip
def test_device_labels(user_agent, label):
    assert device_label(user_agent) == label


def sign_in(anon, user, user_agent: str, ip: str = "203.0.113.7"):
    response = anon.post("/api/auth/login", {"email": user.email, "password": PASSWORD},
                         format="json", headers={"User-Agent": user_agent,
                                                 "X-Forwarded-For": ip})  # fmt: skip
    assert response.status_code == 200, response.content
    return response


def announced(user) -> list[dict]:
    return list(
        OutboxEvent.objects.filter(aggregate_id=str(user.pk), event_type="user.new_device_login")
        .order_by("seq")
        .values_list("payload", flat=True)
    )


def test_only_a_new_device_is_announced(anon, user):
    sign_in(anon, user, CHROME_LINUX.format(v=130))  # the account's first: not announced
    sign_in(anon, user, CHROME_LINUX.format(v=131))  # the same browser, updated
    assert announced(user) == []
    sign_in(anon, user, FIREFOX_WINDOWS, ip="198.51.100.4")
    (event,) = announced(user)
    assert event["user_id"] == str(user.pk)
    assert (event["device"], event["ip"]) == ("Firefox on Windows", "198.51.100.4")
    sign_in(anon, user, FIREFOX_WINDOWS)  # known now
    assert len(announced(user)) == 1
    assert sorted(KnownDevice.objects.filter(user=user).values_list("label", flat=True)) == [
        "Chrome on Linux",
        "Firefox on Windows",
    ]


def test_a_failed_sign_in_remembers_no_device(anon, user):
    sign_in(anon, user, CHROME_LINUX.format(v=131))
    response = anon.post("/api/auth/login", {"email": user.email, "password": "wrong-one-1"},
                         format="json", headers={"User-Agent": FIREFOX_WINDOWS})  # fmt: skip
    assert response.status_code == 401
    assert not KnownDevice.objects.filter(user=user, label="Firefox on Windows").exists()
    assert announced(user) == []
