"""Attachments, checked by their bytes (never by the client's name or content type) and
stored privately under CHAT_MEDIA_ROOT: `<conversation id>/<attachment id>.<ext>`.

Images are decoded whole by Pillow (a truncated or corrupt file, or a decompression
bomb, is refused); a PDF must start with the `%PDF-` header and end with the `%%EOF`
trailer.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
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


def path_of(name: str) -> Path:
    return Path(settings.CHAT_MEDIA_ROOT) / name


def store(fileobj: IO[bytes], name: str) -> None:
    path = path_of(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".part")
    fileobj.seek(0)
    with open(temporary, "wb") as out:
        for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
            out.write(chunk)
    temporary.replace(path)


def remove(name: str) -> None:
    path_of(name).unlink(missing_ok=True)
