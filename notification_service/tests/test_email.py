"""Email through the real SMTP server (scripts/infra/smtp.sh, a Maildir the tests read):
HTML and text parts, the link back, one-click unsubscribe headers; once per delivery
however often it is attempted; re-checked when sent; retried while the server is down."""

from __future__ import annotations

import time
import uuid

import pytest
from django.utils import timezone
from notifications import handlers, services
from notifications.models import ChatUnread, Delivery, Notification

from tests.conftest import (
    apply,
    as_client,
    booking_event,
    booking_payload,
    celery_worker,
    envelope,
    mails_to,
    purge_queue,
    smtp,
    wait_for,
)


def send_all(**filters) -> list[str]:
    return [
        services.delivery_send_email(delivery_id=d)
        for d in Delivery.objects.filter(channel="email", **filters).values_list("id", flat=True)
    ]


@pytest.mark.django_db
def test_confirmed_booking_emails_both_with_parts_link_and_unsubscribe(people):
    tenant, landlord, property_id = people
    payload = booking_payload(tenant["id"], landlord["id"], property_id)
    apply(handlers.on_activity_event, booking_event(payload))
    assert send_all(notification__kind__startswith="booking.") == ["sent", "sent"]
    (mail,) = mails_to(tenant["email"])
    (landlord_mail,) = mails_to(landlord["email"])
    assert mail["Subject"] == "Booking confirmed: Sunny 2BHK near the park"
    assert "New booking for" in landlord_mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"/bookings/{payload['id']}" in text and f"/bookings/{payload['id']}" in html
    assert "Asha Rao" in text  # the greeting, from the directory
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(mail["List-Unsubscribe"]).strip("<>")
    assert "/api/notifications/unsubscribe/" in link
    # the link in the header is the one-click POST, no login
    from rentezy_common.testing.clients import GatewayClient

    path = link.split("127.0.0.1", 1)[1].split("/", 1)[1]
    assert GatewayClient().post("/" + path).status_code == 200
    prefs = as_client(tenant).get("/api/notifications/preferences/").json()["preferences"]
    assert prefs["bookings"]["email"] is False


@pytest.mark.django_db
def test_the_same_event_twice_is_one_email(people):
    tenant, landlord, property_id = people
    event = booking_event(booking_payload(tenant["id"], landlord["id"], property_id))
    apply(handlers.on_activity_event, event)
    apply(handlers.on_activity_event, event)
    results = send_all(notification__event_id=event.id) + send_all(notification__event_id=event.id)
    assert sorted(results) == ["already_sent", "already_sent", "sent", "sent"]
    assert len(mails_to(tenant["email"])) == 1
    assert len(mails_to(landlord["email"])) == 1


@pytest.mark.django_db
def test_security_mail_has_no_unsubscribe_and_the_token_only_in_the_fragment(people):
    tenant, _, _ = people
    apply(handlers.on_directory_event, envelope("user.password_reset_requested", "user", {
        "user_id": tenant["id"], "email": tenant["email"], "token": "secret-token-123",
        "expires_at": "2026-12-01T11:00:00Z"}, aggregate_id=tenant["id"]))  # fmt: skip
    assert send_all(notification__kind="user.password_reset") == ["sent"]
    (mail,) = mails_to(tenant["email"])
    assert "List-Unsubscribe" not in mail
    assert (
        "/account/reset-password#token=secret-token-123" in mail.get_body(("plain",)).get_content()
    )
    # never in the inbox, never in the API
    assert (
        as_client(tenant).get("/api/notifications/").json()["results"][0]["kind"] == "user.welcome"
    )


@pytest.mark.django_db
def test_send_time_rechecks(people):
    """A hold paid meanwhile does not mail its checkout link; a category turned off
    after the email was queued is not mailed."""
    tenant, landlord, property_id = people
    held = booking_payload(tenant["id"], landlord["id"], property_id, status="PENDING")
    apply(handlers.on_activity_event, booking_event(held, version=1))
    confirmed = {**held, "status": "CONFIRMED", "amount_paid": held["amount"]}
    apply(handlers.on_activity_event, booking_event(confirmed, version=2))
    assert send_all(notification__kind="booking.held") == ["suppressed"]
    assert (
        Delivery.objects.get(notification__kind="booking.held", channel="email").reason
        == "no_longer_true"
    )
    as_client(landlord).put("/api/notifications/preferences/",
                            {"preferences": {"bookings": {"email": False}}}, format="json")  # fmt: skip
    assert send_all(notification__kind="booking.confirmed.landlord") == ["suppressed"]
    assert send_all(notification__kind="booking.confirmed.tenant") == ["sent"]
    assert [m["Subject"] for m in mails_to(tenant["email"])] == [
        "Booking confirmed: Sunny 2BHK near the park"
    ]
    assert mails_to(landlord["email"]) == []


@pytest.mark.django_db
def test_server_down_is_retried_later_and_sent_once(people, smtp_back):
    tenant, landlord, property_id = people
    event = booking_event(booking_payload(tenant["id"], landlord["id"], property_id))
    apply(handlers.on_activity_event, event)
    smtp("stop")
    assert send_all(notification__event_id=event.id) == ["retry", "retry"]
    delivery = Delivery.objects.get(notification__event_id=event.id,
                                    notification__recipient_id=tenant["id"], channel="email")  # fmt: skip
    assert delivery.status == "queued" and delivery.attempts == 1 and delivery.last_error
    assert delivery.due_at > timezone.now()
    assert services.delivery_send_email(delivery_id=delivery.id) == "not_due"
    smtp("start")
    Delivery.objects.filter(notification__event_id=event.id).update(due_at=timezone.now())
    assert send_all(notification__event_id=event.id) == ["sent", "sent"]
    assert len(mails_to(tenant["email"])) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == "sent"


@pytest.mark.django_db(transaction=True)
def test_smtp_down_for_30_seconds_everything_sent_after_none_doubled(smtp_back):
    """Through the real Celery worker: ten bookings confirmed while the SMTP server is
    stopped for 30 s; every email arrives after it returns, each exactly once."""
    from tests.conftest import publish_property, register

    purge_queue()
    worker = celery_worker(env={"NOTIFICATION_EMAIL_RETRY_SECONDS": "2",
                                "NOTIFICATION_EMAIL_RETRY_MAX_SECONDS": "5"})  # fmt: skip
    worker.start(timeout=60)
    try:
        smtp("stop")
        down_at = time.monotonic()
        landlord = register(str(uuid.uuid4().int % 10**9), role="landlord", name="Ravi")
        property_id = publish_property(landlord["id"])
        tenants = [register(str(uuid.uuid4().int % 10**9)) for _ in range(10)]
        for tenant in tenants:
            apply(handlers.on_activity_event,
                  booking_event(booking_payload(tenant["id"], landlord["id"], property_id)))  # fmt: skip
        time.sleep(max(0.0, 30 - (time.monotonic() - down_at)))
        retried = Delivery.objects.filter(channel="email", notification__recipient_id__in=[
            t["id"] for t in tenants], notification__kind="booking.confirmed.tenant", attempts__gte=2,
            status="queued").count()  # fmt: skip
        assert retried == 10  # they were being retried while the server was down
        assert all(mails_to(t["email"]) == [] for t in tenants)
        smtp("start")
        wait_for(lambda: all(mails_to(t["email"]) for t in tenants), timeout=60)
        wait_for(lambda: len(mails_to(landlord["email"])) >= 11, timeout=60)
        time.sleep(3)  # anything doubled would arrive now
        assert [len(mails_to(t["email"])) for t in tenants] == [2] * 10  # welcome + booking
        assert len(mails_to(landlord["email"])) == 11  # welcome + ten bookings
    finally:
        worker.stop()
        purge_queue()


@pytest.mark.django_db
def test_ten_unread_chat_messages_make_one_digest_email(people, settings):
    tenant, landlord, _ = people
    settings.NOTIFICATION_CHAT_DIGEST_MINUTES = 0
    conversation = str(uuid.uuid4())
    for seq in range(1, 11):
        apply(handlers.on_chat_event, envelope("message.sent", "conversation", {
            "conversation_id": conversation, "message_id": str(1000 + seq), "seq": seq,
            "sender_id": landlord["id"], "recipient_id": tenant["id"],
            "property_id": str(uuid.uuid4()), "preview": f"message number {seq}",
            "has_attachment": False, "created_at": timezone.now().isoformat()},
            aggregate_id=conversation))  # fmt: skip
    inbox = as_client(tenant).get("/api/notifications/", {"category": "chat"}).json()
    assert len(inbox["results"]) == 10  # live, in the app
    assert services.chat_digest_run() == 1
    assert services.chat_digest_run() == 0  # the window is closed: no second digest
    (digest,) = Notification.objects.filter(recipient_id=tenant["id"], kind="chat.digest")
    assert send_all(notification=digest) == ["sent"]
    (mail,) = [m for m in mails_to(tenant["email"]) if "unread" in m["Subject"]]
    assert mail["Subject"] == "You have 10 unread messages on RentEzy"
    text = mail.get_body(("plain",)).get_content()
    assert "Ravi Kumar: message number 1" in text and "message number 10" in text


@pytest.mark.django_db
def test_chat_read_before_the_digest_is_not_mailed(people, settings):
    tenant, landlord, _ = people
    settings.NOTIFICATION_CHAT_DIGEST_MINUTES = 0
    conversation = str(uuid.uuid4())
    apply(handlers.on_chat_event, envelope("message.sent", "conversation", {
        "conversation_id": conversation, "message_id": "77", "seq": 1,
        "sender_id": landlord["id"], "recipient_id": tenant["id"], "preview": "hi"},
        aggregate_id=conversation))  # fmt: skip
    note = as_client(tenant).get("/api/notifications/").json()["results"][0]
    as_client(tenant).post(f"/api/notifications/{note['id']}/read/")
    assert ChatUnread.objects.get(message_id="77").read_at is not None
    assert services.chat_digest_run() == 0


@pytest.mark.django_db
def test_messages_read_in_chat_are_left_out_of_the_digest(people, settings):
    """chat_service's `conversation.read` (docs/contracts/chat-events.md) marks what the
    recipient read in the conversation itself: only the rest is mailed."""
    tenant, landlord, _ = people
    settings.NOTIFICATION_CHAT_DIGEST_MINUTES = 0
    conversation = str(uuid.uuid4())
    for seq in (1, 2, 3):
        apply(handlers.on_chat_event, envelope("message.sent", "conversation", {
            "conversation_id": conversation, "message_id": f"8{seq}", "seq": seq,
            "sender_id": landlord["id"], "recipient_id": tenant["id"], "preview": f"m{seq}"},
            aggregate_id=conversation))  # fmt: skip
    apply(handlers.on_chat_event, envelope("conversation.read", "conversation", {
        "conversation_id": conversation, "user_id": tenant["id"], "last_read_seq": 2,
        "read_at": "2026-12-03T12:00:00Z"}, aggregate_id=conversation))  # fmt: skip
    read = dict(ChatUnread.objects.values_list("message_id", "read_at"))
    assert read["81"] is not None and read["82"] is not None and read["83"] is None
    assert services.chat_digest_run() == 1
    (digest,) = Notification.objects.filter(recipient_id=tenant["id"], kind="chat.digest")
    assert send_all(notification=digest) == ["sent"]
    (mail,) = [m for m in mails_to(tenant["email"]) if "unread" in m["Subject"]]
    listed = [line for line in mail.get_body(("plain",)).get_content().splitlines()
              if line.startswith("- ")]  # fmt: skip
    # the items only: the link's random token may hold "m1" too
    assert listed == ["- Ravi Kumar: m3"]
