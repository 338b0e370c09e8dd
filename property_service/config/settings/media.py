"""Photo storage settings, from the environment (docs/services/property.md).

PROPERTY_MEDIA_STORAGE=filesystem (default): files under PROPERTY_MEDIA_ROOT, served by
this service at /api/properties/media/<name>.
PROPERTY_MEDIA_STORAGE=s3: any S3-compatible object store through django-storages;
credentials come from the usual AWS variables or the pod's role (boto3's chain), never
from these settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rentezy_common.env import env_int
from rentezy_common.media import media_storage

MEDIA_URL_PATH = "/api/properties/media/"  # public path, routed by the gateway
# A year: a stored name (<property id>/<photo id>.<ext>) never gets other bytes.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def media_settings(*, repo: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    # Snapshot URLs live forever in a compacted topic: they must not expire, so S3
    # objects are read through public (or CDN) URLs, not presigned ones.
    backend, storage = media_storage(
        "PROPERTY",
        repo=repo,
        environ=environ,
        subdir="property",
        base_url=MEDIA_URL_PATH,
        object_parameters={"CacheControl": MEDIA_CACHE_CONTROL},
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
