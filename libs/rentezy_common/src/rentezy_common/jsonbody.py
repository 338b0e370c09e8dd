"""Hostile JSON is a 400, never a 500: one decoder with limits for every request body.

Python's decoder recurses once per nesting level, so a body of a few thousand `[`
raises RecursionError deep inside a view (a 500 with a traceback); far less nesting
still makes every later walk over the data (serializers, `json.dumps` of an event)
slow and recursive. No RentEzy payload nests more than a handful of levels, so bodies
nested deeper than JSON_MAX_DEPTH are refused outright, and bodies over JSON_MAX_BYTES
(the gateway's default body limit) before they are decoded.

`loads()` is what DRF's parser (`JSONParser`, settings' DEFAULT_PARSER_CLASSES) and the
webhooks use; `BadJson` carries the 400/413 in the platform's error shape.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework.parsers import JSONParser as DRFJSONParser

from .errors import ApiError

DEFAULT_MAX_DEPTH = 32
DEFAULT_MAX_BYTES = 1024 * 1024


class BadJson(ApiError):
    status_code = 400
    code = "parse_error"  # DRF's code for a body it cannot parse, kept for clients
    message = "The request body is not valid JSON."


class JsonTooLarge(BadJson):
    status_code = 413
    code = "payload_too_large"
    message = "The JSON body is too large."


def _reject_constant(value: str):
    # NaN and Infinity are not JSON (RFC 8259); Python accepts them by default.
    raise ValueError(f"{value} is not a JSON value")


def nesting_depth_exceeds(value: Any, limit: int) -> bool:
    """True if containers nest more than `limit` levels deep (iteratively: no recursion
    on the very input that would exhaust it)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def limits() -> tuple[int, int]:
    return (
        getattr(settings, "JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH),
        getattr(settings, "JSON_MAX_BYTES", DEFAULT_MAX_BYTES),
    )


def loads(data: bytes | str, *, max_depth: int | None = None, max_bytes: int | None = None):
    """Decode a JSON document within the limits, or raise BadJson / JsonTooLarge."""
    default_depth, default_bytes = limits()
    max_depth = default_depth if max_depth is None else max_depth
    max_bytes = default_bytes if max_bytes is None else max_bytes
    if len(data) > max_bytes:
        raise JsonTooLarge(details={"max_bytes": max_bytes})
    try:
        value = json.loads(data, parse_constant=_reject_constant)
    except RecursionError:
        raise BadJson("The JSON body nests too deeply.", details={"max_depth": max_depth}) from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise BadJson(details=str(exc)[:200]) from None
    if nesting_depth_exceeds(value, max_depth):
        raise BadJson("The JSON body nests too deeply.", details={"max_depth": max_depth})
    return value


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, through `loads()`: depth and size limits for every service."""

    def parse(self, stream, media_type=None, parser_context=None):
        _, max_bytes = limits()
        data = stream.read(max_bytes + 1) if stream is not None else b""
        return loads(data, max_bytes=max_bytes)
