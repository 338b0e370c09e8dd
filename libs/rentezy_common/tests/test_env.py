"""Settings from the environment; production refuses development secrets."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rentezy_common.conf import platform_settings
from rentezy_common.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_secret,
    runtime_environment,
)


def test_parsing():
    env = {"N": "5", "B": "yes", "L": "a, b,,c", "BAD": "x"}
    assert env_int("N", environ=env) == 5
    assert env_bool("B", environ=env) is True
    assert env_bool("MISSING", False, environ=env) is False
    assert env_list("L", environ=env) == ["a", "b", "c"]
    with pytest.raises(ImproperlyConfigured, match="BAD must be an integer"):
        env_int("BAD", environ=env)
    with pytest.raises(ImproperlyConfigured, match="Set the NOPE environment variable"):
        env_int("NOPE", environ=env)


def test_database_url():
    config = database_from_url(
        "postgres://u%40x:p%2Fw@db.internal:6432/rentezy_booking?sslmode=require&conn_max_age=0"
    )
    assert config["NAME"] == "rentezy_booking"
    assert (config["USER"], config["PASSWORD"]) == ("u@x", "p/w")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6432")
    assert config["CONN_MAX_AGE"] == 0
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["ENGINE"] == "rentezy_common.postgres"  # the cheap health check
    assert config["CONN_HEALTH_CHECKS"] is True
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x/y")


def test_dev_secret_outside_production():
    assert env_secret("S", "dev-insecure-s", environ={"RENTEZY_ENV": "dev"}) == "dev-insecure-s"
    assert env_secret("S", "dev-insecure-s", environ={"RENTEZY_ENV": "test"}) == "dev-insecure-s"


def test_no_environment_means_production():
    assert runtime_environment(environ={}) == "production"
    with pytest.raises(ImproperlyConfigured):  # so no dev secret either
        env_secret("S", "dev-insecure-s", environ={})


@pytest.mark.parametrize("value", ["r3al", "x" * 31])
def test_production_refuses_short_secrets(value):
    with pytest.raises(ImproperlyConfigured, match="at least 32 bytes"):
        env_secret("S", "dev-insecure-s", environ={"RENTEZY_ENV": "production", "S": value})


@pytest.mark.parametrize("value", [None, "", "dev-insecure-s", "dev-insecure-other"])
def test_production_refuses_missing_or_dev_secrets(value):
    env = {"RENTEZY_ENV": "production"}
    if value is not None:
        env["S"] = value
    with pytest.raises(ImproperlyConfigured):
        env_secret("S", "dev-insecure-s", environ=env)


def test_production_accepts_real_secret():
    real = "r3al-" + "k" * 27  # 32 bytes
    assert (
        env_secret("S", "dev-insecure-s", environ={"RENTEZY_ENV": "production", "S": real}) == real
    )


PRODUCTION = {
    "RENTEZY_ENV": "production",
    "DJANGO_SECRET_KEY": "a-real-secret-a-real-secret-a-real-secret",
    "GATEWAY_SIGNING_SECRET": "another-real-secret-another-real-secret",
    "PUBLIC_BASE_URL": "https://rentezy.example",
    "DATABASE_URL": "postgres://u:p@db/rentezy_booking",
    "REDIS_URL": "redis://redis:6379/0",
    "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
    "DJANGO_ALLOWED_HOSTS": "booking",
}


def test_production_settings_build_with_everything_set(monkeypatch, tmp_path):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    built = platform_settings(service="booking", base_dir=tmp_path)
    assert built["DEBUG"] is False
    assert built["SECRET_KEY"] == PRODUCTION["DJANGO_SECRET_KEY"]
    assert built["GATEWAY_SIGNING_SECRETS"] == [PRODUCTION["GATEWAY_SIGNING_SECRET"]]
    assert built["PUBLIC_BASE_URL"] == "https://rentezy.example"


def test_without_any_environment_settings_refuse_to_build(monkeypatch, tmp_path):
    """A deployment that forgets RENTEZY_ENV is production: it fails at start-up instead
    of running with DEBUG, dev secrets or local defaults."""
    for name in (*PRODUCTION, "RENTEZY_ENV"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ImproperlyConfigured):
        platform_settings(service="booking", base_dir=tmp_path)


def test_debug_is_off_unless_asked_for_outside_production(monkeypatch, tmp_path):
    monkeypatch.setenv("RENTEZY_ENV", "dev")
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    assert platform_settings(service="booking", base_dir=tmp_path)["DEBUG"] is False


@pytest.mark.parametrize(
    "change",
    [
        {"DJANGO_SECRET_KEY": None},
        {"DJANGO_SECRET_KEY": "dev-insecure-django-secret-key-do-not-use-in-production"},
        {"GATEWAY_SIGNING_SECRET": None},
        {"GATEWAY_SIGNING_SECRET": None, "GATEWAY_SIGNING_SECRETS": "x,dev-insecure-y"},
        {"GATEWAY_SIGNING_SECRET": None, "GATEWAY_SIGNING_SECRETS": "short"},
        {"GATEWAY_SIGNING_SECRET": "too-short-for-hmac"},
        {"PUBLIC_BASE_URL": None},
        {"PUBLIC_BASE_URL": "ftp://rentezy.example"},
        {"DATABASE_URL": None},
        {"DJANGO_ALLOWED_HOSTS": None},
        {"DJANGO_DEBUG": "true"},
    ],
)
def test_production_refuses_dev_defaults_and_gaps(monkeypatch, tmp_path, change):
    for name, value in {**PRODUCTION, **change}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured):
        platform_settings(service="booking", base_dir=tmp_path)


def test_admin_adds_its_apps_middleware_and_settings(monkeypatch, tmp_path):
    from rentezy_common.conf import ADMIN_APPS, ADMIN_MIDDLEWARE

    monkeypatch.setenv("RENTEZY_ENV", "dev")
    plain = platform_settings(
        service="booking", base_dir=tmp_path, apps=["bookings"], openapi=False
    )
    built = platform_settings(
        service="booking", base_dir=tmp_path, apps=["bookings"], middleware=["own"], admin=True,
        openapi=False,
    )  # fmt: skip
    # The admin's apps come after the service's own (whose commands and templates win),
    # its middleware after the platform's (both built with openapi=False: no drf_spectacular).
    assert built["INSTALLED_APPS"] == [*plain["INSTALLED_APPS"], *ADMIN_APPS]
    assert built["MIDDLEWARE"] == [*plain["MIDDLEWARE"], *ADMIN_MIDDLEWARE, "own"]
    assert plain["GATEWAY_EXEMPT_PREFIXES"] == ()
    assert built["GATEWAY_EXEMPT_PREFIXES"] == ("/admin/",)
    assert built["STATIC_URL"].startswith("/admin/")
    assert "TEMPLATES" not in plain and built["TEMPLATES"]
    assert built["SESSION_COOKIE_SECURE"] is False


def test_admin_cookies_are_secure_in_production(monkeypatch, tmp_path):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    built = platform_settings(service="booking", base_dir=tmp_path, admin=True)
    assert built["SESSION_COOKIE_SECURE"] is True
    assert built["CSRF_COOKIE_SECURE"] is True
