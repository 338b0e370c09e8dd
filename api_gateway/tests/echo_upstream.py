"""A stand-in upstream for the gateway's tests: a real HTTP/WebSocket server (run with
uvicorn in its own process) that verifies the gateway's signature exactly as every
service does (rentezy_common.gateway.verify_signature) and reports what it received.

    GET  /api/echo/...         → {"user_id", "role", "request_id", "headers", "path", "query"}
    POST /api/echo/upload      → streams the body: {"size", "sha256"} (and its peak buffer)
    GET  /api/echo/download?size=N   → N bytes, streamed
    GET  /api/echo/slow?seconds=S    → answers after S seconds
    GET  /internal/openapi.json      → a small OpenAPI document (signed requests only)
    WS   /ws/echo/             → sends {"type": "hello", identity...}, then echoes
"""

import asyncio
import hashlib
import json
import os
from urllib.parse import parse_qs

from rentezy_common.conf import DEV_GATEWAY_SIGNING_SECRET
from rentezy_common.gateway import SignatureError, verify_signature

SECRETS = [os.environ.get("GATEWAY_SIGNING_SECRET", DEV_GATEWAY_SIGNING_SECRET)]
NAME = os.environ.get("ECHO_NAME", "echo")
OPEN_SOCKETS = 0


def _verify(scope, method):
    headers = {k.decode().title(): v.decode() for k, v in scope["headers"]}
    # verify_signature looks headers up by their canonical names
    canonical = {
        name: headers[name.title()]
        for name in (
            "X-Rentezy-User-Id",
            "X-Rentezy-User-Role",
            "X-Rentezy-Session-Id",
            "X-Request-ID",
            "X-Rentezy-Timestamp",
            "X-Rentezy-Nonce",
            "X-Rentezy-Signature",
        )
        if name.title() in headers
    }
    return verify_signature(
        secrets_=SECRETS,
        method=method,
        path=scope.get("raw_path", b"").decode() or scope["path"],
        query=scope.get("query_string", b"").decode(),
        headers=canonical,
        max_age=30,
    )


async def _json(send, status, body, headers=()):
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": data})


def _operation(op_id, security=None):
    operation = {
        "operationId": op_id,
        "tags": ["echo"],
        "responses": {
            "200": {
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}
            },
            "400": {
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
            },
        },
    }
    if security is not None:
        operation["security"] = security
    return operation


# What the gateway's merge must filter: internal, admin and health paths, a path the
# routing table sends to another upstream; `User` clashes with auth_service's own.
DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "echo", "version": "1"},
    "paths": {
        "/api/echo/public/things": {"get": _operation("things", [{}, {"bearerAuth": []}])},
        "/api/echo/read/items": {
            "get": _operation("items_list", [{}, {"bearerAuth": []}]),
            "post": _operation("items_create", [{}, {"bearerAuth": []}]),
        },
        "/api/echo/secret": {"get": _operation("secret", [{"bearerAuth": []}])},
        "/api/echo/public/mine": {"get": _operation("mine", [{"bearerAuth": []}])},
        "/api/auth/me": {"get": _operation("not_mine")},
        "/internal/introspect": {"post": _operation("internal")},
        "/admin/users/": {"get": _operation("admin")},
        "/healthz": {"get": _operation("health")},
    },
    "components": {
        "schemas": {
            "User": {"type": "object", "properties": {"echo": {"type": "string"}}},
            "Error": {"type": "object"},
        }
    },
}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        return await websocket(scope, receive, send)
    path = scope["path"]
    if path == "/healthz":
        return await _json(send, 200, {"status": "ok", "service": NAME})
    try:
        identity = _verify(scope, scope["method"])
    except SignatureError as exc:
        return await _json(send, 401, {"error": {"code": exc.code, "message": exc.message}})
    query = parse_qs(scope.get("query_string", b"").decode())
    if path == "/internal/openapi.json":
        return await _json(send, 200, DOCUMENT)
    if path == "/api/echo/upload":
        digest, size = hashlib.sha256(), 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            digest.update(chunk)
            size += len(chunk)
            if not message.get("more_body"):
                break
        return await _json(send, 200, {"size": size, "sha256": digest.hexdigest()})
    if path == "/api/echo/download":
        size = int(query["size"][0])
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/octet-stream"),
                    (b"content-length", str(size).encode()),
                ],
            }
        )
        block = b"x" * 65536
        while size > 0:
            piece = block[: min(size, len(block))]
            size -= len(piece)
            await send({"type": "http.response.body", "body": piece, "more_body": size > 0})
        return
    if path.endswith("/ws-open"):
        return await _json(send, 200, {"open": OPEN_SOCKETS})
    if path == "/api/echo/slow":
        await asyncio.sleep(float(query["seconds"][0]))
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await _json(
        send,
        200,
        {
            "upstream": NAME,
            "user_id": identity.user_id,
            "session_id": identity.session_id,
            "role": identity.role,
            "request_id": identity.request_id,
            "method": scope["method"],
            "path": scope.get("raw_path", b"").decode(),
            "query": scope.get("query_string", b"").decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "body": body.decode(errors="replace"),
        },
    )


async def websocket(scope, receive, send):
    global OPEN_SOCKETS
    OPEN_SOCKETS += 1
    try:
        await _websocket(scope, receive, send)
    finally:
        OPEN_SOCKETS -= 1


async def _websocket(scope, receive, send):
    await receive()  # websocket.connect
    try:
        identity = _verify(scope, "GET")
    except SignatureError:
        return await send({"type": "websocket.close", "code": 1008})
    offered = scope.get("subprotocols") or []
    await send({"type": "websocket.accept", "subprotocol": offered[0] if offered else None})
    hello = {
        "type": "hello",
        "user_id": identity.user_id,
        "role": identity.role,
        "subprotocols": offered,
    }
    await send({"type": "websocket.send", "text": json.dumps(hello)})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text == "close-me":
            return await send({"type": "websocket.close", "code": 4000})
        if text is not None:
            await send({"type": "websocket.send", "text": text})
        else:
            await send({"type": "websocket.send", "bytes": message.get("bytes") or b""})
