"""auth service settings: the platform's, from the environment (docs/configuration.md),
plus identity's own (docs/services/auth.md)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_int, env_secret

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_platform = platform_settings(
    service="auth",
    base_dir=BASE_DIR,
    apps=[
        # Django admin for operators (/admin/), and the auth framework behind the
        # custom user model.
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "accounts",
    ],
    readiness=("database", "redis", "kafka"),
    # After the platform's (which end with GatewayIdentityMiddleware). Only the Django
    # admin uses sessions, CSRF and messages; DRF views are csrf-exempt and
    # authenticate from the gateway identity, never from a session.
    middleware=[
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
)
globals().update(_platform)
PRODUCTION = _platform["RENTEZY_ENV"] == "production"

AUTH_USER_MODEL = "accounts.User"
# User.email is unique through a unique index on lower(email) (case-insensitive), which
# Django's check does not recognise as making the field unique; every lookup by email
# goes through that index (UserQuerySet.by_email).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
# Django admin logins go through the same per-account lockout as the API.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]

# The gateway never routes /admin/ (it forwards /api/ and /ws/ only); operators reach
# the admin through a port-forward, so those requests carry no gateway signature. The
# admin's static files live under the same prefix for the same reason.
GATEWAY_EXEMPT_PREFIXES = ("/admin/",)
STATIC_URL = "/admin/static/"
# Serve the admin's CSS/JS straight from the installed apps (no STATIC_ROOT, no
# collectstatic step): the few files are indexed once at start.
WHITENOISE_USE_FINDERS = True

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

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

for _name in (
    "AUTH_ACCESS_TOKEN_SECONDS",
    "AUTH_REFRESH_TOKEN_SECONDS",
    "AUTH_LOGIN_MAX_FAILURES",
    "AUTH_LOGIN_FAILURE_WINDOW_SECONDS",
    "AUTH_LOGIN_LOCKOUT_SECONDS",
):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be a positive integer.")
