"""Reading configuration from the environment.

Every setting of every service comes from here, so parsing rules are the same
everywhere: booleans accept 1/0, true/false, yes/no, on/off; lists are comma separated;
a missing variable without a default is a configuration error that names the variable.

Safe by default: with RENTEZY_ENV unset a process is in production. Development and
tests opt in explicitly (`make up`, `make test` and the benches set RENTEZY_ENV=dev or
test), so a deployment that forgets a variable fails at start-up instead of running
with DEBUG, dev secrets or the payment simulator.

Secrets: `env_secret(name, dev_default)` returns the dev default outside production, and
in production refuses a missing value, any value that is a known development default,
and any value shorter than MIN_SECRET_BYTES, so a dev or guessable secret can never reach
a real deployment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_MISSING: Any = object()
REQUIRED: Any = _MISSING  # as a default: "no default, the variable must be set"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# Every development default secret starts with this marker; production refuses it.
DEV_SECRET_MARKER = "dev-insecure-"  # noqa: S105 - a marker, not a secret

ENVIRONMENTS = ("dev", "test", "production")
DEFAULT_ENVIRONMENT = "production"  # no environment at all: the safe one
# HMAC-SHA256 keys (gateway signatures, JWTs) should be at least as long as the hash
# (RFC 2104 section 3, RFC 7518 section 3.2): every production secret is held to it.
MIN_SECRET_BYTES = 32


def _raw(name: str, default: Any, environ: Mapping[str, str] | None) -> Any:
    environ = os.environ if environ is None else environ
    if name in environ:
        return environ[name]
    if default is _MISSING:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return default


def env_str(name: str, default: Any = _MISSING, *, environ: Mapping[str, str] | None = None) -> str:
    return _raw(name, default, environ)


def env_int(name: str, default: Any = _MISSING, *, environ: Mapping[str, str] | None = None) -> int:
    value = _raw(name, default, environ)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from None


def env_bool(
    name: str, default: Any = _MISSING, *, environ: Mapping[str, str] | None = None
) -> bool:
    value = _raw(name, default, environ)
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}.")


def env_list(
    name: str, default: Any = _MISSING, *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, default, environ)
    if isinstance(value, list | tuple):
        return list(value)
    return [item.strip() for item in str(value).split(",") if item.strip()]


def runtime_environment(environ: Mapping[str, str] | None = None) -> str:
    value = env_str("RENTEZY_ENV", DEFAULT_ENVIRONMENT, environ=environ)
    if value not in ENVIRONMENTS:
        raise ImproperlyConfigured(f"RENTEZY_ENV must be one of {ENVIRONMENTS}, got {value!r}.")
    return value


def env_secret(name: str, dev_default: str, *, environ: Mapping[str, str] | None = None) -> str:
    """A secret: dev default outside production; in production required, not a dev
    value, and at least MIN_SECRET_BYTES long."""
    if not dev_default.startswith(DEV_SECRET_MARKER):
        raise ValueError(f"dev default for {name} must start with {DEV_SECRET_MARKER!r}")
    if runtime_environment(environ) != "production":
        return env_str(name, dev_default, environ=environ)
    value = env_str(name, environ=environ)  # no default in production
    check_production_secret(name, value, dev_default)
    return value


def check_production_secret(name: str, value: str, dev_default: str = "") -> None:
    """Refuse a production secret that is empty, a development default or too short."""
    if not value or value.startswith(DEV_SECRET_MARKER) or value == dev_default:
        raise ImproperlyConfigured(f"{name} is a development default; set a real secret.")
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ImproperlyConfigured(f"{name} must be at least {MIN_SECRET_BYTES} bytes long.")


def database_from_url(url: str) -> dict[str, Any]:
    """Django DATABASES entry from `postgres://user:password@host:port/name?options`.

    Query options: `conn_max_age` (seconds, default 60), `sslmode`, `connect_timeout`,
    `application_name`; anything else is passed to psycopg as an OPTION.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured(f"Only PostgreSQL database URLs are supported, got {url!r}.")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("The database URL names no database.")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    conn_max_age = int(options.pop("conn_max_age", 60))
    return {
        # Django's backend with a per-request health check that needs no round trip
        # (rentezy_common.postgres.base says why it is enough).
        "ENGINE": "rentezy_common.postgres",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }
