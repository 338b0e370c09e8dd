"""A chat through the gateway, with real tokens: a landlord's published listing reaches
chat_service through Kafka (property-events), a tenant writes about it over the
WebSocket (token in the subprotocol), the landlord's socket gets it live and answers,
and a landlord may write first only to a tenant who has a booking with them (the hold
reaches chat_service through booking-events). Between them: property_service's and
booking_service's relays, chat_service's consumers and its ASGI web process, each a
real process."""

from __future__ import annotations

import json
import uuid

from test_booking_flow import book, bookable, publish_listing, wait_until
from websockets.sync.client import connect


class Socket:
    """One client's `/ws/chat/` socket through the gateway."""

    def __init__(self, platform, headers: dict) -> None:
        token = headers["Authorization"].removeprefix("Bearer ")
        url = platform["gateway"].url.replace("http://", "ws://") + "/ws/chat/"
        self.ws = connect(  # closed by close()
            url, subprotocols=["rentezy.v1", "bearer." + token], open_timeout=10
        ).__enter__()
        self.ready = self.expect("ready")

    def expect(self, kind: str, **fields) -> dict:
        while True:
            frame = json.loads(self.ws.recv(timeout=15))
            if frame["type"] == kind and all(frame.get(k) == v for k, v in fields.items()):
                return frame

    def send(self, **frame) -> None:
        self.ws.send(json.dumps(frame))

    def close(self) -> None:
        self.ws.close()


def start_conversation(api, headers: dict, body: dict, what: str):
    """POST a conversation until chat_service knows what it needs (it learns properties
    and bookings from Kafka, about a second behind): the 201 response."""

    def attempt():
        response = api.post("/api/chat/conversations/", json=body, headers=headers)
        return response if response.status_code == 201 else None

    return wait_until(attempt, what)[0]


def test_a_tenant_and_a_landlord_chat_through_the_gateway(api, user, platform):
    landlord, _ = user("landlord")
    tenant, tenant_user = user("tenant")
    word = "zc" + uuid.uuid4().hex[:6]
    pid, room = publish_listing(api, landlord, word, units=2)

    # The listing reaches chat_service through property-events.
    started = start_conversation(api, tenant, {"property_id": pid},
                                 "the property in chat_service through property-events")  # fmt: skip
    conversation = started.json()["id"]
    assert started.json()["landlord_id"] and started.json()["unread_count"] == 0

    tenant_socket = Socket(platform, tenant)
    landlord_socket = Socket(platform, landlord)
    try:
        assert landlord_socket.ready["conversations"] == {conversation: 0}
        tenant_socket.send(type="send", conversation_id=conversation, client_id="c1",
                           body="Is the room free from the 1st?")  # fmt: skip
        ack = tenant_socket.expect("ack", client_id="c1")
        assert ack["seq"] == 1 and ack["duplicate"] is False
        got = landlord_socket.expect("message.new", conversation_id=conversation)
        assert got["message"]["body"] == "Is the room free from the 1st?"
        landlord_socket.send(type="read", conversation_id=conversation, seq=1)
        assert tenant_socket.expect("read", conversation_id=conversation)["seq"] == 1
        landlord_socket.send(type="send", conversation_id=conversation, client_id="c2",
                             body="Yes, it is.")  # fmt: skip
        assert tenant_socket.expect("message.new")["message"]["body"] == "Yes, it is."
        # the same client id again: stored once
        tenant_socket.send(type="send", conversation_id=conversation, client_id="c1",
                           body="Is the room free from the 1st?")  # fmt: skip
        assert tenant_socket.expect("ack", client_id="c1")["duplicate"] is True
    finally:
        tenant_socket.close()
        landlord_socket.close()

    page = api.get(f"/api/chat/conversations/{conversation}/messages/", headers=tenant).json()
    assert [m["body"] for m in page["results"]] == ["Is the room free from the 1st?",
                                                     "Yes, it is."]  # fmt: skip
    mine = api.get("/api/chat/conversations/", headers=tenant).json()["results"]
    assert [(c["id"], c["unread_count"]) for c in mine] == [(conversation, 1)]
    stranger, _ = user("tenant")
    assert api.get(f"/api/chat/conversations/{conversation}/", headers=stranger).status_code == 404

    # A landlord writes first only to a tenant with a booking (or a visit) with them.
    other, other_user = user("tenant")
    first = {"property_id": pid, "tenant_id": str(other_user["id"])}
    refused = api.post("/api/chat/conversations/", json=first, headers=landlord)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "no_relation"
    bookable(api, room, other, units=2)
    held = book(api, other, room)
    assert held.status_code == 201, held.text
    booking_id = held.json()["id"]
    opened = start_conversation(api, landlord, {**first, "booking_id": booking_id},
                                "the booking in chat_service through booking-events")  # fmt: skip
    assert opened.json()["booking_id"] == booking_id
    assert opened.json()["tenant_id"] == str(other_user["id"])
    assert tenant_user["id"] != other_user["id"]
