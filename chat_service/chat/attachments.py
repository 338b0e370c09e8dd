"""Attachments, checked by their bytes (never by the client's name or content type) and
stored privately through Django's storage API (config/settings/media.py: a directory or
an S3 bucket) as `<conversation id>/<attachment id>.<ext>`.

Images are decoded whole by Pillow (a truncated or corrupt file, or a decompression
bomb, is refused); a PDF must start with the `%PDF-` header and end with the `%%EOF`
trailer.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from .choices import AttachmentKind
from .errors import AttachmentTooLarge, UnsupportedMediaType

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


@dataclass(frozen=True)
class Checked:
    kind: str
    content_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None


def _digest(fileobj: IO[bytes]) -> tuple[int, str]:
    fileobj.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return size, digest.hexdigest()


def _is_pdf(fileobj: IO[bytes], size: int) -> bool:
    fileobj.seek(0)
    head = fileobj.read(1024)
    fileobj.seek(max(0, size - 2048))
    tail = fileobj.read()
    fileobj.seek(0)
    return head.lstrip(b"\r\n\t ").startswith(b"%PDF-") and b"%%EOF" in tail


def _image(fileobj: IO[bytes]) -> tuple[str, int, int] | None:
    max_pixels = settings.CHAT_ATTACHMENT_MAX_PIXELS
    try:
        fileobj.seek(0)
        with Image.open(fileobj, formats=list(IMAGE_FORMATS)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise UnsupportedMediaType(f"The image has more than {max_pixels} pixels.")
            content_type = IMAGE_FORMATS[image.format]
            image.load()
    except UnidentifiedImageError:
        return None
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise UnsupportedMediaType("The image is corrupt, truncated or too large.") from None
    finally:
        fileobj.seek(0)
    return content_type, width, height


def check(fileobj: IO[bytes]) -> Checked:
    """What the file is, or 413 / 415."""
    size, sha256 = _digest(fileobj)
    limit = settings.CHAT_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise AttachmentTooLarge(
            f"An attachment is at most {limit} bytes.", details={"max_bytes": limit}
        )
    if size == 0:
        raise UnsupportedMediaType("The file is empty.")
    if _is_pdf(fileobj, size):
        return Checked(AttachmentKind.PDF, "application/pdf", size, sha256)
    image = _image(fileobj)
    if image is None:
        raise UnsupportedMediaType()
    content_type, width, height = image
    return Checked(AttachmentKind.IMAGE, content_type, size, sha256, width, height)


def storage_name(conversation_id, attachment_id: uuid.UUID, content_type: str) -> str:
    return f"{conversation_id}/{attachment_id}.{EXTENSIONS[content_type]}"


def store(fileobj: IO[bytes], name: str) -> None:
    fileobj.seek(0)
    saved = default_storage.save(name, fileobj)
    if saved != name:  # never: names are fresh UUIDs
        default_storage.delete(saved)
        raise RuntimeError(f"attachment name taken: {name}")


def open_stored(name: str) -> IO[bytes]:
    return default_storage.open(name, "rb")


def exists(name: str) -> bool:
    return default_storage.exists(name)


def remove(name: str) -> None:
    default_storage.delete(name)
