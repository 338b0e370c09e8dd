"""auth service settings: the platform's, from the environment (docs/configuration.md),
plus identity's own (docs/services/auth.md)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_int, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

globals().update(
    platform_settings(
        service="auth",
        base_dir=BASE_DIR,
        apps=["accounts"],
        readiness=("database", "redis", "kafka"),
        # The operators' Django admin at /admin/ (rentezy_common.conf.admin_settings: off
        # the gateway, which never routes it; static files by WhiteNoise), and the auth
        # framework behind the custom user model.
        admin=True,
    )
)

AUTH_USER_MODEL = "accounts.User"
# User.email is unique through a unique index on lower(email) (case-insensitive), which
# Django's check does not recognise as making the field unique; every lookup by email
# goes through that index (UserQuerySet.by_email).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
# Django admin logins go through the same per-account lockout as the API.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Tokens (docs/contracts/auth.md) ---------------------------------------------------
DEV_AUTH_JWT_SECRET = "dev-insecure-auth-jwt-signing-secret-do-not-use"  # noqa: S105 - dev only
# RFC 7518 3.2: an HS256 key must be at least as long as the hash (256 bits); env_secret
# holds every production secret to that.
AUTH_JWT_SECRET = env_secret("AUTH_JWT_SECRET", DEV_AUTH_JWT_SECRET)
AUTH_JWT_ISSUER = "rentezy-auth"
AUTH_JWT_AUDIENCE = "rentezy"
AUTH_ACCESS_TOKEN_SECONDS = env_int("AUTH_ACCESS_TOKEN_SECONDS", 900)  # 15 minutes
AUTH_REFRESH_TOKEN_SECONDS = env_int("AUTH_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600)  # 30 days
# A rotated refresh token presented again this soon, before its successor was used, is
# a client's duplicate (two tabs refreshing at once), not a theft: 0 turns this off.
AUTH_REFRESH_REUSE_GRACE_SECONDS = env_int("AUTH_REFRESH_REUSE_GRACE_SECONDS", 10)
if not 0 <= AUTH_REFRESH_REUSE_GRACE_SECONDS <= 60:
    raise ImproperlyConfigured("AUTH_REFRESH_REUSE_GRACE_SECONDS must be 0 to 60.")

# --- Failed-login lockout, per normalised email, counted in Redis ---------------------
AUTH_LOGIN_MAX_FAILURES = env_int("AUTH_LOGIN_MAX_FAILURES", 5)
AUTH_LOGIN_FAILURE_WINDOW_SECONDS = env_int("AUTH_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
AUTH_LOGIN_LOCKOUT_SECONDS = env_int("AUTH_LOGIN_LOCKOUT_SECONDS", 15 * 60)

# The topic of user-events (an isolated copy of the platform, tests/e2e, points it elsewhere).
USER_EVENTS_TOPIC = env_str("USER_EVENTS_TOPIC", "user-events")

# --- Password reset and email confirmation links (docs/services/auth.md) --------------
AUTH_PASSWORD_RESET_TOKEN_SECONDS = env_int("AUTH_PASSWORD_RESET_TOKEN_SECONDS", 3600)
AUTH_EMAIL_TOKEN_SECONDS = env_int("AUTH_EMAIL_TOKEN_SECONDS", 48 * 3600)
# Reset emails per address per hour (beyond it the request is answered 202, and nothing
# is sent): nobody can flood someone's mailbox through us.
AUTH_PASSWORD_RESET_PER_EMAIL = env_int("AUTH_PASSWORD_RESET_PER_EMAIL", 3)

for _name in (
    "AUTH_PASSWORD_RESET_TOKEN_SECONDS",
    "AUTH_EMAIL_TOKEN_SECONDS",
    "AUTH_PASSWORD_RESET_PER_EMAIL",
    "AUTH_ACCESS_TOKEN_SECONDS",
    "AUTH_REFRESH_TOKEN_SECONDS",
    "AUTH_LOGIN_MAX_FAILURES",
    "AUTH_LOGIN_FAILURE_WINDOW_SECONDS",
    "AUTH_LOGIN_LOCKOUT_SECONDS",
):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be a positive integer.")

# The OpenAPI document (rentezy_common.openapi): one name for the role enumeration.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {"Role": "accounts.choices.Role"}  # noqa: F821
