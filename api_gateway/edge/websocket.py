"""WebSocket proxying for `/ws/*`.

Browsers cannot set an Authorization header on a WebSocket, and a token in the URL ends
up in logs, so the access token travels one of two ways:

- the subprotocol list: `new WebSocket(url, ["rentezy.v1", "bearer." + token])`; the
  gateway validates before accepting and answers with the other protocol offered
  (never echoing the token);
- the first message, when no `bearer.` subprotocol is offered:
  `{"type": "auth", "token": "<access token>"}` within GATEWAY_WS_AUTH_TIMEOUT seconds;
  the gateway consumes that message and forwards everything after it.

A missing or invalid token closes the socket with 4401 (or refuses the handshake with
403 in the subprotocol form). The upstream connection carries the caller's signed
identity like any forwarded request. Either side closing closes the other with the
same code.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import aiohttp
from django.conf import settings

from rentezy_common.gateway import sign_request
from rentezy_common.logs import clean_request_id

from . import metrics
from .tokens import AuthUnavailable

logger = logging.getLogger("rentezy.gateway.ws")

TOKEN_PROTOCOL_PREFIX = "bearer."  # noqa: S105 - a protocol name, not a secret
CLOSE_UNAUTHORIZED = 4401
CLOSE_TRY_AGAIN = 1013
CLOSE_POLICY = 1008
CLOSE_INTERNAL = 1011
# Codes that may not be sent in a close frame (RFC 6455 §7.4.1): report a normal close.
_RESERVED = {1004, 1005, 1006, 1015}


def _sendable(code: int | None) -> int:
    if code is None or code in _RESERVED or code < 1000 or code >= 5000:
        return 1000
    return code


async def _close(send, code: int, reason: str = "") -> None:
    await send({"type": "websocket.close", "code": code, "reason": reason})


async def _first_message_token(receive) -> str | None:
    message = await receive()
    if message["type"] != "websocket.receive":
        return None
    try:
        data = json.loads(message.get("text") or message.get("bytes") or b"")
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("type") != "auth":
        return None
    token = data.get("token")
    return token if isinstance(token, str) else None


async def proxy_websocket(gateway, scope, receive, send) -> None:
    request_id = clean_request_id(
        next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
    )
    route = gateway.config.match(scope["path"])
    connect = await receive()
    if connect["type"] != "websocket.connect":
        return
    if route is None or not route.websocket:
        metrics.WEBSOCKETS.labels("no_route").inc()
        return await _close(send, CLOSE_POLICY)

    offered = list(scope.get("subprotocols") or [])
    token = next(
        (p[len(TOKEN_PROTOCOL_PREFIX) :] for p in offered if p.startswith(TOKEN_PROTOCOL_PREFIX)),
        None,
    )
    others = [p for p in offered if not p.startswith(TOKEN_PROTOCOL_PREFIX)]
    accepted = False

    async def accept(subprotocol: str | None) -> None:
        nonlocal accepted
        await send({"type": "websocket.accept", "subprotocol": subprotocol})
        accepted = True

    if token is None:
        # First-message form: accept, then wait for the credentials.
        await accept(others[0] if others else None)
        try:
            token = await asyncio.wait_for(
                _first_message_token(receive), settings.GATEWAY_WS_AUTH_TIMEOUT
            )
        except TimeoutError:
            token = None
        if not token:
            metrics.WEBSOCKETS.labels("unauthenticated").inc()
            return await _close(send, CLOSE_UNAUTHORIZED, "authentication required")

    try:
        caller = await gateway.tokens.validate(token, request_id)
    except AuthUnavailable:
        metrics.WEBSOCKETS.labels("auth_unavailable").inc()
        return await _close(send, CLOSE_TRY_AGAIN, "cannot verify the caller")
    if caller is None:
        metrics.WEBSOCKETS.labels("unauthenticated").inc()
        return await _close(send, CLOSE_UNAUTHORIZED, "invalid token")

    client = scope.get("client")
    decision = await gateway.limiter.hit(route.bucket, "u:" + caller.user_id, route.rate_limit)
    if not decision.allowed:
        metrics.WEBSOCKETS.labels("rate_limited").inc()
        return await _close(send, CLOSE_TRY_AGAIN, "rate limited")

    upstream = route.upstream
    breaker = gateway.breakers[upstream.name]
    if not breaker.allow():
        metrics.WEBSOCKETS.labels("upstream_unavailable").inc()
        return await _close(send, CLOSE_TRY_AGAIN, "service unavailable")
    query = scope.get("query_string", b"").decode("latin-1")
    path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
    headers = sign_request(
        secret=settings.GATEWAY_SIGNING_SECRETS[0],
        method="GET",
        path=path,
        query=query,
        user_id=caller.user_id,
        role=caller.role,
        session_id=caller.session_id,
        request_id=request_id,
    )
    if client:
        headers["X-Forwarded-For"] = client[0]
    url = upstream.ws_url + path + (f"?{query}" if query else "")
    try:
        upstream_ws = await gateway.session.ws_connect(
            url,
            headers=headers,
            protocols=others,
            timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
            autoping=True,
            max_msg_size=settings.GATEWAY_WS_MAX_MESSAGE,
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        refused = isinstance(exc, aiohttp.WSServerHandshakeError)
        if not refused:
            breaker.failure()
        metrics.WEBSOCKETS.labels("upstream_refused" if refused else "upstream_down").inc()
        logger.warning("websocket upstream %s: %r", upstream.name, exc)
        return await _close(send, CLOSE_POLICY if refused else CLOSE_TRY_AGAIN)
    breaker.success()
    metrics.WEBSOCKETS.labels("opened").inc()

    if not accepted:
        await accept(upstream_ws.protocol or (others[0] if others else None))

    try:
        await _pump(receive, send, upstream_ws)
    finally:
        if not upstream_ws.closed:
            await upstream_ws.close()


async def _pump(receive, send, upstream_ws) -> None:
    client_closed = False

    async def client_to_upstream() -> None:
        nonlocal client_closed
        while True:
            message = await receive()
            if message["type"] == "websocket.receive":
                if message.get("text") is not None:
                    await upstream_ws.send_str(message["text"])
                elif message.get("bytes") is not None:
                    await upstream_ws.send_bytes(message["bytes"])
            elif message["type"] == "websocket.disconnect":
                client_closed = True
                await upstream_ws.close(code=_sendable(message.get("code")))
                return

    async def upstream_to_client() -> None:
        async for message in upstream_ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                await send({"type": "websocket.send", "text": message.data})
            elif message.type == aiohttp.WSMsgType.BINARY:
                await send({"type": "websocket.send", "bytes": message.data})
            else:  # CLOSE / CLOSING / CLOSED / ERROR
                break

    tasks = [
        asyncio.create_task(client_to_upstream()),
        asyncio.create_task(upstream_to_client()),
    ]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    for task in done:
        if task.exception() is not None:
            logger.warning("websocket proxy: %r", task.exception())
    if not client_closed:
        code = _sendable(upstream_ws.close_code) if upstream_ws.closed else CLOSE_INTERNAL
        with contextlib.suppress(Exception):
            await _close(send, code)
