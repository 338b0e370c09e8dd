import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from accounts.models import RefreshToken, UserSession
from django.core.management import call_command
from django.utils import timezone

SERVICE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "RENTEZY_ENV": "production",
    "DJANGO_SECRET_KEY": "a-real-secret-key-of-sufficient-length-0123456789",
    "GATEWAY_SIGNING_SECRET": "a-real-gateway-signing-secret-0123456789",
    "DATABASE_URL": "postgres://u:p@db.internal:5432/rentezy_auth",
    "REDIS_URL": "redis://redis.internal:6379/1",
    "KAFKA_BOOTSTRAP_SERVERS": "kafka.internal:9092",
    "DJANGO_ALLOWED_HOSTS": "auth",
    "DJANGO_DEBUG": "false",
    "PUBLIC_BASE_URL": "https://rentezy.example",
}


def _load_settings(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "RENTEZY_"))}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.AUTH_ACCESS_TOKEN_SECONDS)",
        ],
        cwd=SERVICE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("secret", "complaint"),
    [
        (None, "AUTH_JWT_SECRET"),
        ("dev-insecure-auth-jwt-signing-secret-do-not-use", "development default"),
        ("too-short", "at least 32 bytes"),
    ],
)
def test_production_refuses_a_missing_dev_or_short_jwt_secret(secret, complaint):
    result = _load_settings(**({} if secret is None else {"AUTH_JWT_SECRET": secret}))
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_accepts_a_real_secret_and_reads_lifetimes():
    result = _load_settings(AUTH_JWT_SECRET="r" * 48, AUTH_ACCESS_TOKEN_SECONDS="300")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "300"


@pytest.mark.parametrize("grace", ["-1", "61"])
def test_a_refresh_grace_period_outside_0_to_60_seconds_is_refused(grace):
    result = _load_settings(AUTH_JWT_SECRET="r" * 48, AUTH_REFRESH_REUSE_GRACE_SECONDS=grace)
    assert result.returncode != 0
    assert "AUTH_REFRESH_REUSE_GRACE_SECONDS must be 0 to 60" in result.stderr


@pytest.mark.django_db
def test_purge_expired_tokens(user, login, capsys):
    login(user.email)  # a live session
    dead = login(user.email)  # a session whose token expired two days ago
    assert dead.status_code == 200
    old = timezone.now() - timedelta(days=40)
    dead_session = UserSession.objects.order_by("created_at").last()
    UserSession.objects.filter(pk=dead_session.pk).update(created_at=old)
    RefreshToken.objects.filter(session=dead_session).update(
        created_at=old, expires_at=timezone.now() - timedelta(days=2)
    )
    # Expired only an hour ago: kept for the grace day, so reuse is still detected.
    recent = login(user.email)
    assert recent.status_code == 200
    RefreshToken.objects.filter(session=UserSession.objects.order_by("created_at").last()).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )

    call_command("purge_expired_tokens")

    assert "purged 1 refresh tokens and 1 sessions" in capsys.readouterr().out
    assert UserSession.objects.count() == 2
    assert not UserSession.objects.filter(pk=dead_session.pk).exists()
    assert RefreshToken.objects.count() == 2
