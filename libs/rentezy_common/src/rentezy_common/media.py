"""Where a service keeps uploaded files: Django's storage API (`STORAGES["default"]`),
from `<NAME>_MEDIA_*` variables, the same for every service that stores files
(property photos, chat attachments; the chart's `mediaStorage: true` sets them).

<NAME>_MEDIA_STORAGE=filesystem (default): files under <NAME>_MEDIA_ROOT (required in
production; in dev under the state directory, in tests under the system's temporary
directory).
<NAME>_MEDIA_STORAGE=s3: any S3-compatible object store through django-storages;
credentials come from the usual AWS variables or the pod's role (boto3's chain), never
from these settings.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .env import REQUIRED, env_bool, env_str, runtime_environment


def default_media_root(repo: Path, environ: Mapping[str, str], subdir: str) -> Path:
    if runtime_environment(environ) == "test":
        # Tests point this at a fresh temporary directory of their own.
        return Path(tempfile.gettempdir()) / "rentezy-test-media" / subdir
    state = Path(environ.get("RENTEZY_STATE", repo / ".rentezy"))
    return state / "state" / "media" / subdir


def media_storage(
    prefix: str,
    *,
    repo: Path,
    environ: Mapping[str, str],
    subdir: str,
    base_url: str | None = None,
    object_parameters: dict[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(backend, the STORAGES entry) from `<prefix>_MEDIA_*`. `base_url` is the public
    path of files a filesystem storage serves (None for private files)."""
    production = runtime_environment(environ) == "production"
    backend = env_str(f"{prefix}_MEDIA_STORAGE", "filesystem", environ=environ)
    if backend == "filesystem":
        root = env_str(
            f"{prefix}_MEDIA_ROOT",
            REQUIRED if production else str(default_media_root(repo, environ, subdir)),
            environ=environ,
        )
        options: dict[str, Any] = {
            "location": root,
            "file_permissions_mode": 0o644,
            "directory_permissions_mode": 0o755,
        }
        if base_url:
            options["base_url"] = base_url
        return backend, {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": options,
        }
    if backend == "s3":

        def optional(name: str) -> str | None:
            return env_str(f"{prefix}_MEDIA_S3_{name}", "", environ=environ) or None

        return backend, {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str(f"{prefix}_MEDIA_S3_BUCKET", environ=environ),
                "endpoint_url": optional("ENDPOINT_URL"),
                "region_name": optional("REGION"),
                "custom_domain": optional("CUSTOM_DOMAIN"),
                "location": env_str(f"{prefix}_MEDIA_S3_PREFIX", subdir, environ=environ),
                "querystring_auth": env_bool(
                    f"{prefix}_MEDIA_S3_QUERYSTRING_AUTH", False, environ=environ
                ),
                "file_overwrite": False,
                "default_acl": optional("DEFAULT_ACL"),
                "object_parameters": dict(object_parameters or {}),
            },
        }
    raise ImproperlyConfigured(
        f"{prefix}_MEDIA_STORAGE must be 'filesystem' or 's3', got {backend!r}."
    )
