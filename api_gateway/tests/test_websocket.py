"""WebSocket proxying through a real gateway to a real upstream, with real tokens."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect


def ws_url(gateway, path="/ws/echo/"):
    return gateway.url.replace("http://", "ws://") + path


def open_sockets(client) -> int:
    return client.get("/api/echo/public/ws-open").json().get("open", -1)


def test_token_in_subprotocol(gateway, login):
    session = login("landlord")
    with connect(ws_url(gateway), subprotocols=["rentezy.v1", "bearer." + session["access"]]) as ws:
        assert ws.subprotocol == "rentezy.v1"  # the token is never echoed back
        hello = json.loads(ws.recv(timeout=5))
        assert hello["user_id"] == str(session["user"]["id"]) and hello["role"] == "landlord"
        assert hello["subprotocols"] == ["rentezy.v1"]  # the upstream never sees the token
        ws.send("ping")
        assert ws.recv(timeout=5) == "ping"
        ws.send(b"\x00\x01binary")
        assert ws.recv(timeout=5) == b"\x00\x01binary"


def test_token_in_first_message(gateway, login):
    session = login()
    with connect(ws_url(gateway)) as ws:
        ws.send(json.dumps({"type": "auth", "token": session["access"]}))
        hello = json.loads(ws.recv(timeout=5))
        assert hello["user_id"] == str(session["user"]["id"]) and hello["role"] == "tenant"
        ws.send("echo me")
        assert ws.recv(timeout=5) == "echo me"


def test_invalid_token_in_subprotocol_is_refused(gateway):
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(gateway), subprotocols=["rentezy.v1", "bearer.a.b.c"])
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    "first", ['{"type": "auth", "token": "a.b.c"}', "not json", '{"type": "hello"}']
)
def test_invalid_first_message_closes_with_4401(gateway, first):
    with connect(ws_url(gateway)) as ws:
        ws.send(first)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 4401


def test_upstream_closing_closes_the_client(gateway, login):
    session = login()
    with connect(ws_url(gateway), subprotocols=["bearer." + session["access"]]) as ws:
        ws.recv(timeout=5)
        ws.send("close-me")  # the echo upstream closes with 4000
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 4000


def test_client_closing_closes_the_upstream(gateway, client, login):
    session = login()
    baseline = open_sockets(client)
    with connect(ws_url(gateway), subprotocols=["bearer." + session["access"]]) as ws:
        ws.recv(timeout=5)
        assert open_sockets(client) == baseline + 1
    # leaving the block closed the client's socket
    deadline = time.monotonic() + 5
    while open_sockets(client) != baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open_sockets(client) == baseline


def test_http_request_to_a_websocket_route_is_404(client):
    assert client.get("/ws/echo/").status_code == 404
