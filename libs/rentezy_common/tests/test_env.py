"""Settings from the environment; production refuses development secrets."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rentezy_common.conf import platform_settings
from rentezy_common.env import database_from_url, env_bool, env_int, env_list, env_secret


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
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x/y")


def test_dev_secret_outside_production():
    assert env_secret("S", "dev-insecure-s", environ={}) == "dev-insecure-s"


@pytest.mark.parametrize("value", [None, "", "dev-insecure-s", "dev-insecure-other"])
def test_production_refuses_missing_or_dev_secrets(value):
    env = {"RENTEZY_ENV": "production"}
    if value is not None:
        env["S"] = value
    with pytest.raises(ImproperlyConfigured):
        env_secret("S", "dev-insecure-s", environ=env)


def test_production_accepts_real_secret():
    assert (
        env_secret("S", "dev-insecure-s", environ={"RENTEZY_ENV": "production", "S": "r3al"})
        == "r3al"
    )


PRODUCTION = {
    "RENTEZY_ENV": "production",
    "DJANGO_SECRET_KEY": "a-real-secret",
    "GATEWAY_SIGNING_SECRET": "another-real-secret",
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
    assert built["SECRET_KEY"] == "a-real-secret"
    assert built["GATEWAY_SIGNING_SECRETS"] == ["another-real-secret"]


@pytest.mark.parametrize(
    "change",
    [
        {"DJANGO_SECRET_KEY": None},
        {"DJANGO_SECRET_KEY": "dev-insecure-django-secret-key-do-not-use-in-production"},
        {"GATEWAY_SIGNING_SECRET": None},
        {"GATEWAY_SIGNING_SECRET": None, "GATEWAY_SIGNING_SECRETS": "x,dev-insecure-y"},
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
