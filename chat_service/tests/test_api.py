"""The REST API under /api/chat/, as the gateway forwards it: who may start, read and
write what, the log's sequence numbers, idempotent sends, cursors, read markers, edits
and deletes, blocks, reports and the events they publish."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from chat.models import Conversation, Message, Participant
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rentezy_common.events.models import OutboxEvent
from rentezy_common.testing.clients import GatewayClient
from tests.conftest import book, new_user_id, publish_property, send

pytestmark = pytest.mark.django_db


def events(event_type: str) -> list[dict]:
    return [e.payload for e in OutboxEvent.objects.filter(event_type=event_type).order_by("seq")]


# -- starting ----------------------------------------------------------------------------
def test_a_tenant_starts_one_conversation_per_property(tenant, landlord, listing):
    first = tenant.post("/api/chat/conversations/", {"property_id": listing}, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["tenant_id"], body["landlord_id"], body["property_id"]) == (
        tenant.user_id,
        landlord.user_id,
        listing,
    )
    assert body["last_seq"] == 0 and body["last_message"] is None and body["unread_count"] == 0
    again = tenant.post("/api/chat/conversations/", {"property_id": listing}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    [started] = events("conversation.started")
    assert started["id"] == body["id"] and started["started_by"] == tenant.user_id


def test_who_may_start(tenant, landlord, admin):
    draft = publish_property(landlord.user_id, status="draft")
    unknown = str(uuid.uuid4())
    for property_id in (draft, unknown):
        refused = tenant.post(
            "/api/chat/conversations/", {"property_id": property_id}, format="json"
        )
        assert (
            refused.status_code == 404 and refused.json()["error"]["code"] == "property_not_found"
        )
    listing = publish_property(landlord.user_id)
    # a landlord writes first only to a tenant who booked or visited
    first = landlord.post(
        "/api/chat/conversations/",
        {"property_id": listing, "tenant_id": tenant.user_id},
        format="json",
    )
    assert first.status_code == 403 and first.json()["error"]["code"] == "no_relation"
    booking = book(tenant.user_id, landlord.user_id, listing)
    started = landlord.post(
        "/api/chat/conversations/",
        {"property_id": listing, "tenant_id": tenant.user_id, "booking_id": booking},
        format="json",
    )
    assert started.status_code == 201, started.content
    assert started.json()["booking_id"] == booking
    # ... about their own property only; and admins never write
    other_landlord = GatewayClient(user_id=new_user_id(), role="landlord")
    theirs = other_landlord.post(
        "/api/chat/conversations/", {"property_id": listing, "tenant_id": tenant.user_id},
        format="json",
    )  # fmt: skip
    assert theirs.status_code == 404
    refused = admin.post("/api/chat/conversations/", {"property_id": listing}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "read_only"
    # a booking of someone else cannot be linked
    stranger_booking = book(new_user_id(), landlord.user_id, listing)
    linked = tenant.post(
        "/api/chat/conversations/",
        {"property_id": listing, "booking_id": stranger_booking},
        format="json",
    )
    assert linked.status_code == 403 and linked.json()["error"]["code"] == "cannot_start"


# -- sending -------------------------------------------------------------------------------
def test_messages_get_consecutive_sequence_numbers_and_retries_are_not_stored_twice(
    tenant, landlord, conversation
):
    client_id = str(uuid.uuid4())
    first = send(tenant, conversation, "Is it still free?", client_id=client_id)
    assert first.status_code == 201
    message = first.json()
    assert (message["seq"], message["change_seq"], message["sender_id"]) == (1, 1, tenant.user_id)
    retry = send(tenant, conversation, "Is it still free?", client_id=client_id)
    assert retry.status_code == 200 and retry.json() == message
    assert send(landlord, conversation, "Yes!").json()["seq"] == 2
    assert Message.objects.filter(conversation_id=conversation).count() == 2
    [sent, _] = events("message.sent")
    assert sent["preview"] == "Is it still free?" and sent["recipient_id"] == landlord.user_id


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_get_a_gapless_sequence(tenant, landlord, conversation):
    """16 threads, each its own database connection, sending at once."""

    def one(i: int) -> int:
        from django.db import connection as thread_connection

        try:
            caller = tenant if i % 2 else landlord
            client = GatewayClient(user_id=caller.user_id, role=caller.role)
            response = send(client, conversation, f"m{i}")
            assert response.status_code == 201, response.content
            return response.json()["seq"]
        finally:
            thread_connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = list(pool.map(one, range(16)))
    assert sorted(seqs) == list(range(1, 17))
    assert Conversation.objects.get(pk=conversation).last_seq == 16


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_store_one_message(tenant, landlord, conversation):
    """8 retries of one send at once: those that wait for the row lock while the first
    commits are refused by the unique constraint, roll back their sequence number and
    unread count, and return the first message."""
    client_id = str(uuid.uuid4())

    def one(i: int) -> tuple[int, int]:
        from django.db import connection as thread_connection

        try:
            client = GatewayClient(user_id=tenant.user_id, role=tenant.role)
            response = send(client, conversation, "once", client_id=client_id)
            assert response.status_code in (200, 201), response.content
            return response.status_code, response.json()["seq"]
        finally:
            thread_connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(8)))
    assert sorted(answers) == [(200, 1)] * 7 + [(201, 1)]
    assert Conversation.objects.get(pk=conversation).last_seq == 1
    assert Message.objects.filter(conversation_id=conversation).count() == 1
    recipient = Participant.objects.get(conversation_id=conversation, user_id=landlord.user_id)
    assert recipient.unread_count == 1
    assert len(events("message.sent")) == 1
    # the conversation goes on without a gap
    assert send(tenant, conversation, "next").json()["seq"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [("", "body"), ("   \n ", "body"), ("x" * 4001, "body"), ("a\x00b", "body")],
)
def test_bad_messages_are_400(tenant, conversation, body, field):
    response = send(tenant, conversation, body)
    assert response.status_code == 400 and field in response.json()["error"]["details"]


def test_text_is_stored_as_text(tenant, conversation):
    body = "<script>alert(1)</script>\n**bold** \u202e"
    assert send(tenant, conversation, body).json()["body"] == body.strip()


def test_other_peoples_conversations_are_404_and_admins_read_only(
    tenant, other_tenant, admin, conversation
):
    send(tenant, conversation, "private")
    for path in ("", "messages/"):
        assert other_tenant.get(f"/api/chat/conversations/{conversation}/{path}").status_code == 404
    assert send(other_tenant, conversation, "hi").status_code == 404
    assert admin.get(f"/api/chat/conversations/{conversation}/messages/").status_code == 200
    seen = admin.get(f"/api/chat/conversations/{conversation}/").json()
    assert seen["unread_count"] is None
    refused = send(admin, conversation, "moderator here")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "read_only"
    missing = tenant.get(f"/api/chat/conversations/{uuid.uuid4()}/")
    assert missing.status_code == 404


def test_blocked_users_cannot_send_either_way(tenant, landlord, conversation):
    assert (
        landlord.post("/api/chat/blocks/", {"user_id": tenant.user_id}, format="json").status_code
        == 201
    )
    for client in (tenant, landlord):
        refused = send(client, conversation, "hello?")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "blocked"
    assert [b["user_id"] for b in landlord.get("/api/chat/blocks/").json()["results"]] == [
        tenant.user_id
    ]
    assert landlord.delete(f"/api/chat/blocks/{tenant.user_id}/").status_code == 204
    assert send(tenant, conversation, "hello?").status_code == 201


def test_the_send_limit_answers_429(tenant, conversation, settings):
    settings.CHAT_SEND_LIMIT = 3
    codes = [send(tenant, conversation, f"m{i}").status_code for i in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    limited = send(tenant, conversation, "again")
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited["Retry-After"]) >= 1


# -- reading -------------------------------------------------------------------------------
def test_messages_by_cursor(tenant, landlord, conversation):
    for i in range(12):
        send(tenant if i % 2 else landlord, conversation, f"m{i}")
    url = f"/api/chat/conversations/{conversation}/messages/"
    latest = tenant.get(url, {"limit": 5}).json()
    assert [m["seq"] for m in latest["results"]] == [8, 9, 10, 11, 12]
    assert latest["has_more"] is True and latest["last_seq"] == 12
    older = tenant.get(url, {"before": 8, "limit": 5}).json()
    assert [m["seq"] for m in older["results"]] == [3, 4, 5, 6, 7]
    oldest = tenant.get(url, {"before": 3, "limit": 5}).json()
    assert [m["seq"] for m in oldest["results"]] == [1, 2] and oldest["has_more"] is False
    newer = tenant.get(url, {"after": 10}).json()
    assert [m["seq"] for m in newer["results"]] == [11, 12] and newer["has_more"] is False
    both = tenant.get(url, {"after": 1, "before": 3})
    assert both.status_code == 400 and both.json()["error"]["code"] == "invalid_parameter"


def test_conversation_list_has_last_message_and_unread_count_without_counting(
    tenant, landlord, conversation
):
    for i in range(3):
        send(landlord, conversation, f"news {i}")
    # a second conversation, quieter
    other = publish_property(landlord.user_id)
    tenant.post("/api/chat/conversations/", {"property_id": other}, format="json")
    with CaptureQueriesContext(connection) as queries:
        listed = tenant.get("/api/chat/conversations/").json()
    assert listed["count"] == 2
    first = (
        listed["results"][1] if listed["results"][0]["id"] != conversation else listed["results"][0]
    )
    assert first["last_message"]["body"] == "news 2" and first["unread_count"] == 3
    message_table = Message._meta.db_table
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"] and message_table in q["sql"]]
    assert counting == []
    read = tenant.post(f"/api/chat/conversations/{conversation}/read/", {"seq": 2}, format="json")
    assert read.json() == {"conversation_id": conversation, "last_read_seq": 2, "unread_count": 1}
    # the marker never moves back, and never past the end
    tenant.post(f"/api/chat/conversations/{conversation}/read/", {"seq": 1}, format="json")
    far = tenant.post(f"/api/chat/conversations/{conversation}/read/", {"seq": 999}, format="json")
    assert far.json()["last_read_seq"] == 3 and far.json()["unread_count"] == 0
    landlord_view = landlord.get(f"/api/chat/conversations/{conversation}/").json()
    assert {p["role"]: p["last_read_seq"] for p in landlord_view["participants"]}["tenant"] == 3
    # one conversation.read per move of the marker (2, then 3; not the move back)
    assert [(e["user_id"], e["last_read_seq"]) for e in events("conversation.read")] == [
        (tenant.user_id, 2),
        (tenant.user_id, 3),
    ]


# -- edits and deletes --------------------------------------------------------------------
def test_edit_and_delete_within_the_window_as_tombstones(tenant, landlord, conversation):
    sent = send(tenant, conversation, "typo").json()
    send(landlord, conversation, "reply")
    edited = tenant.patch(f"/api/chat/messages/{sent['id']}/", {"body": "fixed"}, format="json")
    assert edited.status_code == 200
    assert (edited.json()["body"], edited.json()["seq"], edited.json()["change_seq"]) == (
        "fixed",
        1,
        3,
    )
    assert edited.json()["edited_at"]
    refused = landlord.patch(f"/api/chat/messages/{sent['id']}/", {"body": "mine"}, format="json")
    assert refused.status_code == 409
    unread_before = Participant.objects.get(conversation_id=conversation, user_id=landlord.user_id)
    assert unread_before.unread_count == 1
    deleted = tenant.delete(f"/api/chat/messages/{sent['id']}/")
    assert deleted.status_code == 200
    tomb = deleted.json()
    assert tomb["deleted"] is True and tomb["body"] == "" and tomb["change_seq"] == 4
    assert Participant.objects.get(pk=unread_before.pk).unread_count == 0
    again = tenant.delete(f"/api/chat/messages/{sent['id']}/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "message_deleted"
    listed = tenant.get(f"/api/chat/conversations/{conversation}/messages/").json()["results"]
    assert [(m["seq"], m["deleted"]) for m in listed] == [(1, True), (2, False)]


def test_the_edit_window_closes(tenant, conversation):
    sent = send(tenant, conversation, "old").json()
    Message.objects.filter(pk=sent["id"]).update(created_at=timezone.now() - timedelta(minutes=16))
    late = tenant.patch(f"/api/chat/messages/{sent['id']}/", {"body": "new"}, format="json")
    assert late.status_code == 409 and late.json()["error"]["code"] == "edit_window_closed"
    assert tenant.delete(f"/api/chat/messages/{sent['id']}/").status_code == 409


# -- reports -------------------------------------------------------------------------------
def test_reports_reach_the_moderators(tenant, landlord, admin, conversation):
    abuse = send(landlord, conversation, "abuse").json()
    reported = tenant.post(
        "/api/chat/reports/",
        {"conversation_id": conversation, "reason": "harassment", "message_id": abuse["id"]},
        format="json",
    )
    assert reported.status_code == 201, reported.content
    report = reported.json()
    assert report["reported_id"] == landlord.user_id and report["status"] == "open"
    [event] = events("user.reported")
    assert event["id"] == report["id"] and event["message_id"] == abuse["id"]
    assert tenant.get("/api/chat/reports/").status_code == 403
    queue = admin.get("/api/chat/reports/", {"status": "open"}).json()
    assert [r["id"] for r in queue["results"]] == [report["id"]]
    closed = admin.post(
        f"/api/chat/reports/{report['id']}/close/", {"resolution": "warned"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == "resolved"
    twice = admin.post(
        f"/api/chat/reports/{report['id']}/close/", {"resolution": "x"}, format="json"
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "illegal_transition"
    foreign = GatewayClient(user_id=new_user_id(), role="tenant").post(
        "/api/chat/reports/", {"conversation_id": conversation, "reason": "spam"}, format="json"
    )
    assert foreign.status_code == 404
