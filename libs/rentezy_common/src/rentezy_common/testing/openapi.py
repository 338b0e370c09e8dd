"""The URLconf and the OpenAPI document, side by side, for the drift test in
`rentezy_common.testing.contract` (docs/architecture/api.md)."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_CONVERTER = re.compile(r"<(?:[^>:]+:)?(\w+)>")


def url_paths() -> dict[str, set[str] | None]:
    """Every URL pattern of the service as an OpenAPI path (`<uuid:pk>` → `{pk}`), with
    the methods its class-based view answers (None for a function view)."""
    found: dict[str, set[str] | None] = {}

    def walk(patterns, base: str) -> None:
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                # Regular expressions only outside the API (Django's admin has some).
                if (base + str(pattern.pattern).lstrip("^")).startswith("api/"):
                    raise AssertionError(f"use path(), not re_path(): {pattern.pattern}")
                continue
            route = base + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                path = "/" + _CONVERTER.sub(r"{\1}", route)
                view = getattr(pattern.callback, "view_class", None)
                found[path] = (
                    {m for m in HTTP_METHODS if hasattr(view, m)} if view is not None else None
                )

    walk(get_resolver().url_patterns, "")
    return found


def document_paths(document: dict) -> dict[str, set[str]]:
    return {
        path: {m for m in HTTP_METHODS if m in item}
        for path, item in (document.get("paths") or {}).items()
    }
