"""Django settings shared by every service, built from the environment.

A service's `config/settings/__init__.py` is a few lines:

    globals().update(platform_settings(service="booking", base_dir=BASE_DIR, apps=[...]))

followed by whatever is truly its own. RENTEZY_ENV selects production (the default: no
environment means production), dev (`make up` sets it) or test (the test runner sets
it); production refuses development secrets, short secrets, DEBUG and missing required
values (docs/configuration.md lists every variable).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .env import (
    REQUIRED,
    check_production_secret,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    runtime_environment,
)
from .logs import DEFAULT_REDACTED_PATHS, logging_config
from .platform import SERVICES, TEST_REDIS_DB_OFFSET, ServiceSpec

# Development defaults. Each secret's dev value carries the dev marker, so
# RENTEZY_ENV=production refuses it (env.env_secret).
DEV_SECRET_KEY = "dev-insecure-django-secret-key-do-not-use-in-production"  # noqa: S105 - dev only, refused in production
DEV_GATEWAY_SIGNING_SECRET = "dev-insecure-gateway-signing-secret"  # noqa: S105
DEV_DATABASE_CREDENTIALS = "rentezy:rentezy"  # scripts/infra/postgres.sh creates this role


def openapi_settings(service: str) -> dict[str, Any]:
    """drf-spectacular's settings for a service (`rentezy_common.openapi`)."""
    return {
        "TITLE": f"RentEzy {service} API",
        "DESCRIPTION": (
            f"The {service} service's part of the RentEzy API, generated from its views. "
            "Clients reach it through the gateway only, whose merged document is "
            "`GET /api/openapi.json` (docs/architecture/api.md)."
        ),
        "VERSION": "1.0.0",
        "OAS_VERSION": "3.1.0",
        # Request and response bodies differ (read-only fields, write-only passwords).
        "COMPONENT_SPLIT_REQUEST": True,
        "COMPONENT_NO_READ_ONLY_REQUIRED": False,
        "SCHEMA_PATH_PREFIX": r"/api/",
        "SERVE_INCLUDE_SCHEMA": False,
        "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
        "DISABLE_ERRORS_AND_WARNINGS": False,
        "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
    }


def _local(port_var: str, default: int) -> int:
    return env_int(port_var, default)


def platform_settings(
    *,
    service: str,
    base_dir: Path,
    spec: ServiceSpec | None = None,
    apps: Sequence[str] = (),
    readiness: Sequence[str] = ("database", "redis", "kafka"),
    required: Sequence[str] = ("database",),
    middleware: Sequence[str] = (),
    admin: bool = False,
    openapi: bool = True,
) -> dict[str, Any]:
    """Every Django setting the platform shares, for one service.

    `readiness` lists the dependencies `/readyz` reports; of those, only `required`
    ones make it fail (rentezy_common.health explains why). `admin` adds the operators'
    Django admin (`admin_settings`; the service mounts `admin.site.urls` at `admin/`).
    `openapi` (every service with an API) generates its OpenAPI document from its views
    (`rentezy_common.openapi`; needs `rentezy-common[openapi]`).
    `spec` is for projects outside the registry (the library's own test project)."""
    if spec is None:
        if service not in SERVICES:
            raise ImproperlyConfigured(f"Unknown service {service!r}; see rentezy_common.platform.")
        spec = SERVICES[service]
    environment = runtime_environment()
    production = environment == "production"

    redis_db = spec.redis_db + (TEST_REDIS_DB_OFFSET if environment == "test" else 0)
    redis_default = f"redis://127.0.0.1:{_local('REDIS_PORT', 6379)}/{redis_db}"
    database_default = (
        f"postgres://{DEV_DATABASE_CREDENTIALS}@127.0.0.1:"
        f"{_local('POSTGRES_PORT', 5432)}/{spec.database}"
    )

    # In production these have no default: a deployment must say where things are.
    def dev_default(value):
        return REQUIRED if production else value

    database_url = env_str("DATABASE_URL", dev_default(database_default))
    redis_url = env_str("REDIS_URL", dev_default(redis_default))
    kafka = env_str(
        "KAFKA_BOOTSTRAP_SERVERS", dev_default(f"127.0.0.1:{_local('KAFKA_PORT', 9092)}")
    )
    allowed_hosts = env_list(
        "DJANGO_ALLOWED_HOSTS",
        dev_default(["127.0.0.1", "localhost", "[::1]", "testserver"]),
    )
    # Off everywhere unless asked for: Django's debug pages are HTML with settings and
    # tracebacks, and every error the platform gives is JSON (rentezy_common.errors).
    debug = env_bool("DJANGO_DEBUG", False)
    if production and debug:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")

    signing_secrets = env_list("GATEWAY_SIGNING_SECRETS", "") or [
        env_secret("GATEWAY_SIGNING_SECRET", DEV_GATEWAY_SIGNING_SECRET)
    ]
    if production:
        for secret in signing_secrets:
            check_production_secret("GATEWAY_SIGNING_SECRETS", secret)

    # Where the public reaches the platform (the gateway): links in e-mails, Stripe's
    # return URLs, the payment simulator's webhook target.
    public_base_url = env_str(
        "PUBLIC_BASE_URL", dev_default(f"http://127.0.0.1:{_local('GATEWAY_PORT', 8000)}")
    ).rstrip("/")
    if not public_base_url.startswith(("http://", "https://")):
        raise ImproperlyConfigured("PUBLIC_BASE_URL must be an http(s) URL.")

    return {
        "SERVICE_NAME": service,
        "RENTEZY_ENV": environment,
        "BASE_DIR": base_dir,
        "SECRET_KEY": env_secret("DJANGO_SECRET_KEY", DEV_SECRET_KEY),
        "DEBUG": debug,
        "ALLOWED_HOSTS": allowed_hosts,
        "INSTALLED_APPS": [
            "django.contrib.contenttypes",
            "rest_framework",
            "rentezy_common.events",
            "rentezy_common.idempotency",
            *apps,
            # After the service's apps, so that theirs win: a command of the same name
            # (auth_service's `changepassword`), a template.
            *(ADMIN_APPS if admin else ()),
            *(("drf_spectacular",) if openapi else ()),
        ],
        "MIDDLEWARE": [
            "rentezy_common.middleware.RequestContextMiddleware",
            "rentezy_common.middleware.JsonErrorsMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            "rentezy_common.gateway.GatewayIdentityMiddleware",
            *(ADMIN_MIDDLEWARE if admin else ()),
            *middleware,
        ],
        "ROOT_URLCONF": "config.urls",
        "WSGI_APPLICATION": "rentezy_common.wsgi.application",
        # Public paths are fixed (docs/architecture/overview.md), some with and some
        # without a trailing slash; redirecting a POST to add one would lose its body.
        "APPEND_SLASH": False,
        "DATABASES": {"default": database_from_url(database_url)},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": service,
                # A dead Redis must fail a call fast, not hold a request thread: callers
                # fall back (rentezy_common.degrade).
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        },
        "REDIS_URL": redis_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "ELASTICSEARCH_URL": env_str(
            "ELASTICSEARCH_URL", f"http://127.0.0.1:{_local('ELASTICSEARCH_PORT', 9200)}"
        ),
        "READINESS_CHECKS": list(readiness),
        "READINESS_REQUIRED": [check for check in readiness if check in required],
        "PUBLIC_BASE_URL": public_base_url,
        "GATEWAY_SIGNING_SECRETS": signing_secrets,
        "GATEWAY_SIGNATURE_MAX_AGE": env_int("GATEWAY_SIGNATURE_MAX_AGE", 30),  # seconds
        # While the shared nonce store (Redis) is down, nonces are only remembered per
        # process, so the window shrinks to this (rentezy_common.gateway.NonceStore).
        "GATEWAY_SIGNATURE_DEGRADED_MAX_AGE": env_int("GATEWAY_SIGNATURE_DEGRADED_MAX_AGE", 5),
        # How long a POST's Idempotency-Key is remembered (rentezy_common.idempotency).
        "IDEMPOTENCY_KEY_TTL_SECONDS": env_int("IDEMPOTENCY_KEY_TTL_SECONDS", 24 * 3600),
        "GATEWAY_EXEMPT_PATHS": frozenset({"/healthz", "/readyz", "/metrics"}),
        # Path prefixes exempt from the signature check; empty unless a service serves
        # something the gateway never routes (its Django admin: `admin=True`).
        "GATEWAY_EXEMPT_PREFIXES": (),
        "RENTEZY_CONSUMERS": "config.consumers.CONSUMERS",
        "REST_FRAMEWORK": {
            "EXCEPTION_HANDLER": "rentezy_common.errors.exception_handler",
            "DEFAULT_AUTHENTICATION_CLASSES": ["rentezy_common.gateway.GatewayAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            "UNAUTHENTICATED_USER": "rentezy_common.gateway.AnonymousCaller",
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rentezy_common.jsonbody.JSONParser"],
            "DEFAULT_PAGINATION_CLASS": "rentezy_common.pagination.PublicPageNumberPagination",
            "PAGE_SIZE": 20,
            **(
                {
                    "DEFAULT_SCHEMA_CLASS": "rentezy_common.openapi.PlatformAutoSchema",
                    # Path parameters keep the URLconf's names ({pk}, not {id}): the
                    # document's paths are the URL patterns (the drift test compares).
                    "SCHEMA_COERCE_PATH_PK": False,
                }
                if openapi
                else {}
            ),
        },
        # The service's OpenAPI document (docs/architecture/api.md).
        **({"SPECTACULAR_SETTINGS": openapi_settings(service)} if openapi else {}),
        # Request bodies: JSON nesting and size limits (rentezy_common.jsonbody).
        "JSON_MAX_DEPTH": env_int("JSON_MAX_DEPTH", 32),
        "JSON_MAX_BYTES": env_int("JSON_MAX_BYTES", 1024 * 1024),
        "LANGUAGE_CODE": "en-us",
        "TIME_ZONE": "UTC",
        "USE_I18N": False,
        "USE_TZ": True,
        "LOGGING": logging_config(service=service, level=env_str("LOG_LEVEL", "INFO")),
        # Paths whose `{secret}` segment never reaches a log line (rentezy_common.logs).
        "LOG_REDACTED_PATHS": env_list("LOG_REDACTED_PATHS", list(DEFAULT_REDACTED_PATHS)),
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if production else None,
        # Tests create many users; a slow hash would dominate their run time.
        **(
            {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
            if environment == "test"
            else {}
        ),
        **(admin_settings(production=production) if admin else {}),
    }


# --- The operators' Django admin ------------------------------------------------------
# Every service that owns data has one (docs/architecture/layout.md): staff logins only,
# read-mostly, its actions calling the services. The gateway never routes /admin/
# (api_gateway/config/routes.toml forwards /api/ and /ws/ only): operators reach it on the
# internal network or with `kubectl port-forward`, so its requests carry no gateway
# signature and the prefix is exempt from the check.

ADMIN_PREFIX = "/admin/"
ADMIN_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
)
# After the platform's (which end with GatewayIdentityMiddleware). Only the admin uses
# sessions, CSRF and messages; DRF views are csrf-exempt and authenticate from the
# gateway identity, never from a session.
ADMIN_MIDDLEWARE = (
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


def admin_settings(*, production: bool) -> dict[str, Any]:
    """The settings of the admin (apps and middleware aside): off the gateway's
    signature check, its static files served by WhiteNoise, secure cookies in
    production. Needs `rentezy-common[admin]` (WhiteNoise)."""
    return {
        "GATEWAY_EXEMPT_PREFIXES": (ADMIN_PREFIX,),
        # Inside the exempt prefix for the same reason.
        "STATIC_URL": f"{ADMIN_PREFIX}static/",
        # Serve the admin's CSS/JS straight from the installed apps (no STATIC_ROOT, no
        # collectstatic step): the few files are indexed once at start.
        "WHITENOISE_USE_FINDERS": True,
        "TEMPLATES": [
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
        ],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": production,
        "CSRF_COOKIE_SECURE": production,
        # Staff passwords (`manage.py createsuperuser`); a service with its own user
        # model may name other attributes (auth_service).
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": f"django.contrib.auth.password_validation.{name}"}
            for name in (
                "UserAttributeSimilarityValidator",
                "MinimumLengthValidator",
                "CommonPasswordValidator",
                "NumericPasswordValidator",
            )
        ],
    }
