from django.contrib import admin
from django.urls import include, path

from rentezy_common.errors import handler400, handler403, handler404, handler500  # noqa: F401
from rentezy_common.urls import platform_urlpatterns

urlpatterns = [
    *platform_urlpatterns(),
    path("api/properties/", include("properties.api.urls")),
    # Operators only, off the public edge (settings.GATEWAY_EXEMPT_PREFIXES).
    path("admin/", admin.site.urls),
]
