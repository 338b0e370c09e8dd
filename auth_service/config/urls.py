from accounts.api.urls import internal_urlpatterns
from django.contrib import admin
from django.urls import include, path

from rentezy_common.errors import handler400, handler403, handler404, handler500  # noqa: F401
from rentezy_common.urls import platform_urlpatterns

urlpatterns = [
    *platform_urlpatterns(),
    path("api/auth/", include("accounts.api.urls")),
    # Never routed by the gateway; the gateway calls it directly, signed.
    path("internal/", include(internal_urlpatterns)),
    # Operators only, by port-forward (settings.GATEWAY_EXEMPT_PREFIXES).
    path("admin/", admin.site.urls),
]
