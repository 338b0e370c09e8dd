"""The service's WebSocket routes (config/asgi.py); any other path is refused."""

from django.urls import path, re_path

from .sockets import NotificationSocket


async def no_such_socket(scope, receive, send):
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


websocket_urlpatterns = [
    path("ws/notifications/", NotificationSocket.as_asgi()),
    re_path(r"", no_such_socket),
]
