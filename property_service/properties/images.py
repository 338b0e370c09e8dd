"""Checking uploaded photos by their bytes, never by the client's name or content type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from .errors import PhotoTooLarge, UnsupportedMediaType

# Pillow format name -> the content type we store and serve.
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int
    height: int


def max_photo_bytes() -> int:
    return settings.PROPERTY_PHOTO_MAX_BYTES


def check_photo_size(size: int) -> None:
    limit = max_photo_bytes()
    if size > limit:
        raise PhotoTooLarge(
            f"The photo is larger than {limit} bytes.",
            details={"file": [f"At most {limit} bytes."], "max_bytes": limit},
        )


def inspect_image(fileobj: IO[bytes]) -> ImageInfo:
    """The image's type and size, after Pillow has identified and fully decoded it.

    Decoding the whole image (not only its header) catches truncated or corrupt files,
    and the pixel cap refuses decompression bombs before decoding starts.
    """
    max_pixels = settings.PROPERTY_PHOTO_MAX_PIXELS
    too_large = UnsupportedMediaType(
        f"The image has more than {max_pixels} pixels.",
        code="image_too_large",
        status_code=400,
        details={"file": [f"At most {max_pixels} pixels."]},
    )
    try:
        fileobj.seek(0)
        with Image.open(fileobj, formats=list(ALLOWED_FORMATS)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise too_large
            content_type = ALLOWED_FORMATS[image.format]
            image.load()
    except Image.DecompressionBombError:
        # Pillow's own cap (twice Image.MAX_IMAGE_PIXELS), hit while reading the header.
        raise too_large from None
    except UnidentifiedImageError:
        raise UnsupportedMediaType(details={"file": ["Not a JPEG, PNG or WebP image."]}) from None
    except (OSError, SyntaxError, ValueError):
        # Pillow's errors for a file that looks like an image but is truncated or corrupt.
        raise UnsupportedMediaType(
            "The image is corrupt or truncated.",
            details={"file": ["The image could not be decoded."]},
        ) from None
    finally:
        fileobj.seek(0)
    return ImageInfo(content_type=content_type, width=width, height=height)
