"""URL patterns every service mounts, and the JSON error handlers for its root URLconf.

A service's `config/urls.py`:

    from rentezy_common.urls import platform_urlpatterns
    from rentezy_common.errors import handler400, handler403, handler404, handler500  # noqa: F401

    urlpatterns = [*platform_urlpatterns(), path("api/...", include(...))]
"""

from django.conf import settings
from django.urls import path

from . import health


def platform_urlpatterns(*, metrics: bool = True):
    patterns = [
        path("healthz", health.healthz, name="healthz"),
        path("readyz", health.readyz, name="readyz"),
    ]
    if metrics:
        patterns.append(path("metrics", health.metrics, name="metrics"))
    if hasattr(settings, "SPECTACULAR_SETTINGS"):
        # The service's OpenAPI document, for the gateway (signed, never routed).
        from .openapi import SchemaView

        patterns.append(path("internal/openapi.json", SchemaView.as_view(), name="openapi"))
    return patterns
