from rentezy_common.errors import handler400, handler403, handler404, handler500  # noqa: F401
from rentezy_common.urls import platform_urlpatterns

# /metrics is not here: the gateway serves it on its internal listener only
# (GATEWAY_METRICS_PORT, edge/app.py), never on the public edge.
urlpatterns = [
    *platform_urlpatterns(metrics=False),
]
