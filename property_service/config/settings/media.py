"""Photo storage settings, from the environment (docs/services/property.md).

PROPERTY_MEDIA_STORAGE=filesystem (default): files under PROPERTY_MEDIA_ROOT, served by
this service at /api/properties/media/<name>.
PROPERTY_MEDIA_STORAGE=s3: any S3-compatible object store through django-storages;
credentials come from the usual AWS variables or the pod's role (boto3's chain), never
from these settings.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from rentezy_common.env import REQUIRED, env_bool, env_int, env_str, runtime_environment

MEDIA_URL_PATH = "/api/properties/media/"  # public path, routed by the gateway
# A year: a stored name (<property id>/<photo id>.<ext>) never gets other bytes.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _default_media_root(repo: Path, environ: Mapping[str, str]) -> Path:
    if runtime_environment(environ) == "test":
        # Tests point this at a fresh temporary directory of their own (tests/conftest.py).
        return Path(tempfile.gettempdir()) / "rentezy-test-media" / "property"
    state = Path(environ.get("RENTEZY_STATE", repo / ".rentezy"))
    return state / "state" / "media" / "property"


def media_settings(*, repo: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    production = runtime_environment(environ) == "production"
    backend = env_str("PROPERTY_MEDIA_STORAGE", "filesystem", environ=environ)
    if backend == "filesystem":
        media_root = env_str(
            "PROPERTY_MEDIA_ROOT",
            REQUIRED if production else str(_default_media_root(repo, environ)),
            environ=environ,
        )
        storage = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": media_root,
                "base_url": MEDIA_URL_PATH,
                "file_permissions_mode": 0o644,
                "directory_permissions_mode": 0o755,
            },
        }
    elif backend == "s3":

        def optional(name: str) -> str | None:
            return env_str(name, "", environ=environ) or None

        storage = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("PROPERTY_MEDIA_S3_BUCKET", environ=environ),
                "endpoint_url": optional("PROPERTY_MEDIA_S3_ENDPOINT_URL"),
                "region_name": optional("PROPERTY_MEDIA_S3_REGION"),
                "custom_domain": optional("PROPERTY_MEDIA_S3_CUSTOM_DOMAIN"),
                "location": env_str("PROPERTY_MEDIA_S3_PREFIX", "property", environ=environ),
                # Snapshot URLs live forever in a compacted topic: they must not expire,
                # so objects are read through public (or CDN) URLs, not presigned ones.
                "querystring_auth": env_bool(
                    "PROPERTY_MEDIA_S3_QUERYSTRING_AUTH", False, environ=environ
                ),
                "file_overwrite": False,
                "default_acl": optional("PROPERTY_MEDIA_S3_DEFAULT_ACL"),
                "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
            },
        }
    else:
        raise ImproperlyConfigured(
            f"PROPERTY_MEDIA_STORAGE must be 'filesystem' or 's3', got {backend!r}."
        )
    return {
        "STORAGES": {"default": storage},
        "PROPERTY_MEDIA_STORAGE": backend,
        "PROPERTY_MEDIA_CACHE_CONTROL": MEDIA_CACHE_CONTROL,
        # 10 MB: a full-resolution phone photo, well above what a listing page needs.
        "PROPERTY_PHOTO_MAX_BYTES": env_int(
            "PROPERTY_PHOTO_MAX_BYTES", 10 * 1024 * 1024, environ=environ
        ),
        # 40 megapixels (a 7,300 x 5,500 photo); also the decompression-bomb guard.
        "PROPERTY_PHOTO_MAX_PIXELS": env_int(
            "PROPERTY_PHOTO_MAX_PIXELS", 40_000_000, environ=environ
        ),
        "PROPERTY_PHOTO_MAX_COUNT": env_int("PROPERTY_PHOTO_MAX_COUNT", 30, environ=environ),
        "PROPERTY_ROOM_MAX_COUNT": env_int("PROPERTY_ROOM_MAX_COUNT", 50, environ=environ),
    }
