"""The chat socket for real: WebSocket clients through real gateways (real tokens from a
real auth_service) to two chat_service processes sharing PostgreSQL and the Redis
channel layer, and auth's `session.revoked` reaching the sockets through Kafka."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from chat.models import Message

from rentezy_common.testing.platform import (
    PASSWORD,
    background,
    databases,
    gateway_process,
    start,
    stop,
)
from rentezy_common.testing.processes import ServiceProcess, settings_database_url
from rentezy_common.testing.users import client_ip, register_and_login
from tests.conftest import publish_property
from tests.sockets import Tab

pytestmark = pytest.mark.django_db(transaction=True)
RUN = uuid.uuid4().hex[:8]


def chat_web(env: dict, name: str) -> ServiceProcess:
    return ServiceProcess.python(
        "chat_service",
        "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
        "--port", "{port}", "--ws", "websockets-sansio", "--ws-max-size", "65536",
        env=env, name=name,
    )  # fmt: skip


@pytest.fixture(scope="module")
def platform(django_db_setup, django_db_blocker):
    """auth (+ relay), two chat web processes (+ the sessions consumer), a gateway in
    front of each chat process."""
    auth_env = databases("auth_service", suffix="chatws")["auth_service"]
    chat_env = {
        "DATABASE_URL": settings_database_url(),
        "CHAT_SESSIONS_CONSUMER_GROUP": f"chat-test-sessions-{RUN}",
        # The reconnect tests send 200 messages at once from one user.
        "CHAT_SEND_LIMIT": "400",
        "CHAT_FRAMES_PER_SECOND": "100",
    }
    processes: dict[str, ServiceProcess] = {}
    try:
        start(
            processes,
            auth=ServiceProcess.gunicorn("auth_service", env=auth_env, name="chatws-auth"),
            auth_relay=background(
                "auth_service", "manage.py", "outbox_relay", env=auth_env, name="chatws-auth-relay"
            ),
            chat_a=_fixed_port(chat_web(chat_env, "chatws-a")),
            chat_b=_fixed_port(chat_web(chat_env, "chatws-b")),
            sessions=background(
                "chat_service", "manage.py", "run_consumer", "sessions",
                env=chat_env, name="chatws-sessions",
            ),
        )  # fmt: skip
        start(
            processes,
            gateway_a=gateway_process(
                {"auth": processes["auth"], "chat": processes["chat_a"]},
                port=_port(),
                name="chatws-gateway-a",
            ),
            gateway_b=gateway_process(
                {"auth": processes["auth"], "chat": processes["chat_b"]},
                port=_port(),
                name="chatws-gateway-b",
            ),
        )
        yield processes
    finally:
        stop(processes)


def _port() -> int:
    from rentezy_common.testing.processes import free_port

    return free_port()


def _fixed_port(process: ServiceProcess) -> ServiceProcess:
    process.argv = [a.replace("{port}", str(process.port)) for a in process.argv]
    return process


@pytest.fixture
def api(platform):
    with httpx.Client(base_url=platform["gateway_a"].url, timeout=30) as client:
        yield client


def login(api, role: str) -> tuple[dict, dict]:
    """(bearer headers, the login's user) of a new user; the access token is in the headers."""
    return register_and_login(api, role, password=PASSWORD)


def token(headers: dict) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def pair(api):
    """A tenant and a landlord talking about the landlord's listing:
    (tenant headers, landlord headers, conversation id)."""
    tenant, _ = login(api, "tenant")
    landlord, landlord_user = login(api, "landlord")
    listing = publish_property(str(landlord_user["id"]))
    started = api.post("/api/chat/conversations/", json={"property_id": listing}, headers=tenant)
    assert started.status_code == 201, started.text
    return tenant, landlord, started.json()["id"]


def conversation_of(api, headers, conversation_id) -> dict:
    response = api.get(f"/api/chat/conversations/{conversation_id}/", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_two_users_three_tabs_two_processes(platform, api, pair):
    """Every message reaches every tab of both users, in order, once; read receipts
    reach them all and the unread counts agree."""
    tenant, landlord, conversation = pair
    a, b = platform["gateway_a"], platform["gateway_b"]
    tenant_tabs = [Tab(gw, token(tenant), name=f"tenant{i}") for i, gw in enumerate((a, b, a))]
    landlord_tabs = [
        Tab(gw, token(landlord), name=f"landlord{i}") for i, gw in enumerate((b, a, b))
    ]
    tabs = tenant_tabs + landlord_tabs
    try:
        for i in range(10):
            for sender, who in ((tenant_tabs[0], "t"), (landlord_tabs[0], "l")):
                client_id = sender.send_message(conversation, f"{who}{i}")
                ack = sender.expect("ack", client_id=client_id)
                assert ack["duplicate"] is False
        for tab in tabs:
            deadline = time.monotonic() + 10
            while len(tab.messages(conversation)) < 20 and time.monotonic() < deadline:
                tab.drain(0.2)
            frames = tab.messages(conversation)
            # each change once; message.new frames in order (an ack answers a send, so
            # it may overtake the wake-up of a message sent just before)
            assert sorted(f["seq"] for f in frames) == list(range(1, 21)), tab.name
            news = [f["seq"] for f in frames if f["type"] == "message.new"]
            assert news == sorted(news), (tab.name, news)
            frames.sort(key=lambda f: f["seq"])
            # the sending tab got acks for its own, every other tab message.new frames
            own = {"tenant0": "t", "landlord0": "l"}.get(tab.name)
            for frame in frames:
                mine = frame["message"]["body"].startswith(own) if own else False
                assert frame["type"] == ("ack" if mine else "message.new"), (tab.name, frame)
            assert [f["message"]["body"] for f in frames] == [
                f"{who}{i}" for i in range(10) for who in "tl"
            ]

        landlord_tabs[1].send(type="read", conversation_id=conversation, seq=20)
        for tab in tabs:
            receipt = tab.expect("read", conversation_id=conversation)
            assert receipt["seq"] == 20
        mine = conversation_of(api, landlord, conversation)
        assert (mine["unread_count"], mine["last_read_seq"]) == (0, 20)
        theirs = conversation_of(api, tenant, conversation)
        assert (theirs["unread_count"], theirs["last_read_seq"]) == (10, 0)
        assert theirs["last_message"]["body"] == "l9"
        assert {p["user_id"]: p["last_read_seq"] for p in theirs["participants"]}[
            mine["landlord_id"]
        ] == 20
    finally:
        for tab in tabs:
            tab.close()


def test_reconnect_under_load_gets_exactly_what_was_missed(platform, api, pair):
    """The receiver drops while the other side sends 200 messages; on resume it has
    exactly the 200, in order, without duplicates, and live traffic after them."""
    tenant, landlord, conversation = pair
    sender = Tab(platform["gateway_a"], token(tenant), name="sender")
    receiver = Tab(platform["gateway_b"], token(landlord), name="receiver")
    try:
        client_ids = [sender.send_message(conversation, f"m{i}") for i in range(200)]
        # the receiver gets some of them, then its connection dies mid-stream
        first = receiver.expect("message.new", conversation_id=conversation)
        receiver.drain(0.05)
        receiver.abort()
        got = [f for f in receiver.messages(conversation) if f["type"] == "message.new"]
        assert got[0] is first and len(got) < 200
        last_seen = got[-1]["seq"]

        acks = [sender.expect("ack", timeout=30) for _ in range(200)]
        assert sorted(a["client_id"] for a in acks) == sorted(client_ids)

        back = Tab(platform["gateway_a"], token(landlord), name="receiver-again")
        back.send(type="resume", conversations={conversation: last_seen})
        resumed = back.expect("resumed", timeout=30)
        assert resumed["conversations"] == {conversation: 200}
        sender.send_message(conversation, "after")
        live = back.expect("message.new", conversation_id=conversation)
        again = [f for f in back.seen if f["type"] == "message.new"]
        assert [f["seq"] for f in again] == list(range(last_seen + 1, 202))
        assert live["seq"] == 201
        bodies = [f["message"]["body"] for f in got + again]
        assert bodies == [f"m{i}" for i in range(200)] + ["after"]
        back.close()
    finally:
        sender.close()


def test_sender_dying_before_its_ack_is_stored_once(platform, api, pair):
    tenant, landlord, conversation = pair
    receiver = Tab(platform["gateway_b"], token(landlord), name="receiver")
    sender = Tab(platform["gateway_a"], token(tenant), name="sender")
    client_id = str(uuid.uuid4())
    sender.send(type="send", conversation_id=conversation, client_id=client_id, body="once")
    sender.abort()  # before any ack could arrive
    stored = receiver.expect("message.new", conversation_id=conversation)
    assert stored["message"]["client_id"] == client_id

    retry = Tab(platform["gateway_b"], token(tenant), name="sender-again")
    retry.send(type="send", conversation_id=conversation, client_id=client_id, body="once")
    ack = retry.expect("ack", client_id=client_id)
    assert ack["duplicate"] is True and ack["seq"] == stored["seq"] == 1
    assert Message.objects.filter(client_id=client_id).count() == 1
    woken = [f for f in receiver.drain(0.5) if f["type"].startswith("message.")]
    assert woken == []  # the retry wakes nobody
    retry.close()
    receiver.close()


def test_logout_closes_that_sessions_sockets_only(platform, api, pair):
    tenant, _, _ = pair
    # a second session of the same tenant (another device) stays open
    email = api.get("/api/auth/me", headers=tenant).json()["email"]
    other = api.post(
        "/api/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-Forwarded-For": client_ip()},
    ).json()
    doomed = Tab(platform["gateway_a"], token(tenant), name="doomed")
    doomed_b = Tab(platform["gateway_b"], token(tenant), name="doomed-b", first_frame=True)
    survivor = Tab(platform["gateway_b"], other["access"], name="survivor")
    started = time.monotonic()
    assert api.post("/api/auth/logout", json={}, headers=tenant).status_code == 204
    assert doomed.wait_closed(15) == 4401
    assert doomed_b.wait_closed(15) == 4401
    took = time.monotonic() - started
    survivor.send(type="ping")
    assert survivor.expect("pong")
    survivor.close()
    print(f"sockets closed {took:.1f}s after logout")


def test_blocked_user_cannot_send_and_foreign_conversations_are_not_found(platform, api, pair):
    tenant, landlord, conversation = pair
    stranger, _ = login(api, "tenant")
    landlord_id = conversation_of(api, landlord, conversation)["landlord_id"]
    tenant_tab = Tab(platform["gateway_a"], token(tenant), name="tenant")
    stranger_tab = Tab(platform["gateway_b"], token(stranger), name="stranger")
    try:
        blocked = api.post("/api/chat/blocks/", json={"user_id": tenant_tab.ready["user_id"]},
                           headers=landlord)  # fmt: skip
        assert blocked.status_code == 201, blocked.text
        client_id = tenant_tab.send_message(conversation, "let me in")
        error = tenant_tab.expect("error", client_id=client_id)
        assert error["code"] == "blocked"

        stranger_tab.send_message(conversation, "hi")
        assert stranger_tab.expect("error")["code"] == "conversation_not_found"
        stranger_tab.send(type="typing", conversation_id=conversation)
        assert stranger_tab.expect("error")["code"] == "conversation_not_found"
        assert (
            api.get(f"/api/chat/conversations/{conversation}/", headers=stranger).status_code == 404
        )
        assert (
            api.get(
                f"/api/chat/conversations/{conversation}/messages/", headers=stranger
            ).status_code
            == 404
        )
        unblocked = api.delete(f"/api/chat/blocks/{tenant_tab.ready['user_id']}/", headers=landlord)
        assert unblocked.status_code == 204
        client_id = tenant_tab.send_message(conversation, "thanks")
        assert tenant_tab.expect("ack", client_id=client_id)["seq"] == 1
        assert landlord_id
    finally:
        tenant_tab.close()
        stranger_tab.close()


def test_bad_frames_are_answered_and_harm_nobody(platform, api, pair):
    tenant, landlord, conversation = pair
    bad = Tab(platform["gateway_a"], token(tenant), name="bad")
    other = Tab(platform["gateway_b"], token(landlord), name="other")
    try:
        bad.ws.send(b"\x00\x01binary")
        assert bad.expect("error")["code"] == "binary_frame"
        for text, code in (
            ("not json", "parse_error"),
            ("[1, 2]", "invalid_frame"),
            ('{"type": "launch"}', "unknown_frame"),
            ('{"type": "send", "conversation_id": "nope", "client_id": "x"}', "invalid_frame"),
            (f'{{"type": "send", "conversation_id": "{conversation}"}}', "invalid_frame"),
            ("[" * 100 + "]" * 100, "parse_error"),
        ):
            bad.ws.send(text)
            assert bad.expect("error")["code"] == code, text
        for body in ("", "   ", "x" * 4001):
            client_id = bad.send_message(conversation, body)
            error = bad.expect("error", client_id=client_id)
            assert error["code"] == "invalid" and "body" in error["details"]
        # a flood of typing frames: a few reach the other side, the rest are dropped
        for _ in range(600):
            bad.send(type="typing", conversation_id=conversation)
        assert bad.expect("error", code="rate_limited")
        typing = [f for f in other.drain(1.5) if f["type"] == "typing"]
        assert 1 <= len(typing) <= 2
        # both sockets still work
        time.sleep(1)
        client_id = bad.send_message(conversation, "still here")
        assert bad.expect("ack", client_id=client_id, timeout=15)["seq"] == 1
        assert other.expect("message.new")["message"]["body"] == "still here"
    finally:
        bad.close()
        other.close()


def test_frames_before_authentication_close_the_socket(platform):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    from tests.sockets import ws_url

    with connect(ws_url(platform["gateway_a"])) as ws:
        ws.send('{"type": "send", "conversation_id": "x", "client_id": "y", "body": "z"}')
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 4401


def test_presence_online_and_offline(platform, api, pair):
    tenant, landlord, conversation = pair
    watcher = Tab(platform["gateway_a"], token(landlord), name="watcher")
    tenant_user = conversation_of(api, tenant, conversation)["tenant_id"]
    watcher.send(type="presence", user_ids=[tenant_user, "someone-else"])
    status = watcher.expect("presence", user_id=tenant_user)
    assert status["online"] is False
    assert [f for f in watcher.drain(0.3) if f.get("user_id") == "someone-else"] == []
    comer = Tab(platform["gateway_b"], token(tenant), name="comer")
    assert watcher.expect("presence", user_id=tenant_user)["online"] is True
    comer.close()
    gone = watcher.expect("presence", user_id=tenant_user)
    assert gone["online"] is False and gone["last_seen"]
    watcher.close()
