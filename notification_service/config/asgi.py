"""ASGI entry point: Django's HTTP API and the notifications WebSocket
(`/ws/notifications/`), whose handshake must carry the gateway's signed identity
(rentezy_common.websocket). `uvicorn config.asgi:application`, run from this directory
(Procfile)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

http_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402 - after Django's setup
from notifications.routing import websocket_urlpatterns  # noqa: E402

from rentezy_common.websocket import GatewaySocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": GatewaySocketMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
