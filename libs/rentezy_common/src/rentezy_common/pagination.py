"""Pagination links that point where the client can follow them: the public address.

A service sits behind the gateway, so the host it sees is its own internal address
(`http://127.0.0.1:8001`, a cluster DNS name); a `next` link built from it is useless
outside, and leaks the internal topology. The gateway forwards the address the client
used (`X-Forwarded-Host`, `X-Forwarded-Proto`, set by the gateway after dropping any the
client sent), and links are built from that; without them (a call that did not come
through the gateway) from PUBLIC_BASE_URL.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


def public_url(request, url: str | None) -> str | None:
    """`url` (absolute, as DRF builds it) moved to the address the client used."""
    if url is None:
        return None
    parts = urlsplit(url)
    meta = request.META
    host = meta.get("HTTP_X_FORWARDED_HOST")
    scheme = meta.get("HTTP_X_FORWARDED_PROTO")
    if not host:
        base = urlsplit(settings.PUBLIC_BASE_URL)
        scheme, host = base.scheme, base.netloc
    host = host.split(",")[0].strip()
    scheme = (scheme or "http").split(",")[0].strip()
    if scheme not in ("http", "https"):
        scheme = "http"
    return urlunsplit((scheme, host, parts.path, parts.query, parts.fragment))


class PublicPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination (PAGE_SIZE per page) with public links."""

    def get_next_link(self):
        return public_url(self.request, super().get_next_link())

    def get_previous_link(self):
        return public_url(self.request, super().get_previous_link())
