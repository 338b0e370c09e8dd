from django.contrib import admin
from django.urls import include, path

from rentezy_common.errors import handler400, handler403, handler404, handler500  # noqa: F401
from rentezy_common.operators import dead_letter_urls
from rentezy_common.urls import platform_urlpatterns

urlpatterns = [
    *platform_urlpatterns(),
    path("", include("notifications.api.urls")),
    # Operators only, off the public edge (settings.GATEWAY_EXEMPT_PREFIXES).
    *dead_letter_urls(),
    path("admin/", admin.site.urls),
]
