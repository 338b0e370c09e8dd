"""Gateway identity for WebSockets: the ASGI middleware a real-time service puts in
front of its socket routes (chat's `/ws/chat/`, notifications' `/ws/notifications/`).

The gateway authenticates the caller (token in the subprotocol or the first frame,
docs/services/gateway.md) and opens the upstream socket with the same signed identity
headers as any forwarded request (`rentezy_common.gateway`), session id included. This
middleware verifies them on the handshake exactly as `GatewayIdentityMiddleware` does for
HTTP (signature, age, single-use nonce) and puts the `Identity` in `scope["identity"]`.
A handshake that is unsigned, forged, stale, replayed or anonymous is refused before it
is accepted (the client sees HTTP 403; through the gateway, a close with 1008).

    application = ProtocolTypeRouter({
        "http": django_asgi_app,
        "websocket": GatewaySocketMiddleware(URLRouter(websocket_urlpatterns)),
    })
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.conf import settings

from .gateway import (
    HEADER_NONCE,
    HEADER_REQUEST_ID,
    HEADER_TIMESTAMP,
    IDENTITY_HEADERS,
    NONCES,
    SignatureError,
    verify_signature,
)
from .logs import set_request_id

logger = logging.getLogger(__name__)

_WANTED = {name.lower(): name for name in (*IDENTITY_HEADERS, HEADER_REQUEST_ID)}


def handshake_headers(scope) -> dict[str, str]:
    """The identity headers of a handshake, under their canonical names."""
    headers = {}
    for key, value in scope.get("headers", ()):
        name = _WANTED.get(key.decode("latin-1").lower())
        if name:
            headers[name] = value.decode("latin-1")
    return headers


def verify_handshake(scope):
    """The handshake's identity, or raise SignatureError (the nonce is not claimed)."""
    raw_path = scope.get("raw_path") or b""
    return verify_signature(
        secrets_=settings.GATEWAY_SIGNING_SECRETS,
        method="GET",
        path=raw_path.decode("latin-1") if raw_path else scope["path"],
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=handshake_headers(scope),
        max_age=settings.GATEWAY_SIGNATURE_MAX_AGE,
    )


async def _refuse(receive, send, code: str) -> None:
    logger.warning("refused socket: %s", code)
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


class GatewaySocketMiddleware:
    """Refuses WebSocket handshakes the gateway did not sign for a signed-in caller;
    sets `scope["identity"]`. Other scopes pass through."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        try:
            identity = verify_handshake(scope)
            headers = handshake_headers(scope)
            await sync_to_async(NONCES.claim, thread_sensitive=False)(
                headers[HEADER_NONCE], int(headers[HEADER_TIMESTAMP])
            )
        except SignatureError as exc:
            return await _refuse(receive, send, exc.code)
        if not identity.is_authenticated:
            return await _refuse(receive, send, "anonymous_socket")
        set_request_id(identity.request_id)
        return await self.app({**scope, "identity": identity}, receive, send)
