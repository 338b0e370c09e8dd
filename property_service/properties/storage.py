"""Where photo files live: Django's storage API (`STORAGES["default"]`).

Development and tests use FileSystemStorage under PROPERTY_MEDIA_ROOT with base URL
`/api/properties/media/`, served by this service (`api.views.MediaView`); production may
use S3-compatible storage (PROPERTY_MEDIA_STORAGE=s3, see config/settings/media.py), whose
`url()` points at the bucket or CDN. Either way `photo_url` is what representations carry.
"""

from __future__ import annotations

import re
import uuid

from django.core.files.storage import Storage, default_storage

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
CONTENT_TYPES = {ext: content_type for content_type, ext in EXTENSIONS.items()}

# The only names this service ever stores; the media view serves nothing else.
_NAME = re.compile(r"^[0-9a-f-]{36}/[0-9a-f-]{36}\.(jpg|png|webp)$")


def photo_storage() -> Storage:
    return default_storage


def photo_name(*, property_id: uuid.UUID, photo_id: uuid.UUID, content_type: str) -> str:
    """Storage name of a photo. Never derived from the client's file name."""
    return f"{property_id}/{photo_id}.{EXTENSIONS[content_type]}"


def is_photo_name(name: str) -> bool:
    return bool(_NAME.match(name))


def photo_url(name: str) -> str:
    return photo_storage().url(name)
