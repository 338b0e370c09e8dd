"""The consumers on the real Kafka, fed events shaped as the producers' contracts say
(docs/contracts/rent-events.md, visit-events.md, booking-events.md, chat-events.md):
the right people are told, a redelivered event tells nobody twice, and what is no
longer true when its email is due is not mailed."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from notifications import services
from notifications.models import Delivery, Notification

from rentezy_common.events.consumer import get_consumer
from rentezy_common.testing import kafka
from tests.conftest import booking_event, booking_payload, envelope, publish_property, register

pytestmark = pytest.mark.django_db(transaction=True)


def consume(name: str, topic: str, messages: int) -> None:
    spec = replace(get_consumer(name), name=f"test-{uuid.uuid4().hex[:8]}", topics=[topic],
                   group_id=f"test-notification-{uuid.uuid4().hex[:8]}")  # fmt: skip
    kafka.run_consumer(spec, messages=messages, timeout=60)


def kinds(user_id: str) -> list[str]:
    return sorted(Notification.objects.filter(recipient_id=user_id).values_list("kind", flat=True))


@pytest.fixture
def pair():
    tenant = register(str(uuid.uuid4().int % 10**9))
    landlord = register(str(uuid.uuid4().int % 10**9), role="landlord", name="Ravi Kumar")
    return tenant, landlord, publish_property(landlord["id"])


def lease(tenant, landlord, property_id, lease_id) -> dict:
    return {
        "id": lease_id, "status": "active", "booking_id": str(uuid.uuid4()),
        "tenant_id": tenant["id"], "landlord_id": landlord["id"], "property_id": property_id,
        "room_id": str(uuid.uuid4()), "quantity": 1, "currency": "INR",
        "monthly_rent": "30000.00", "due_day": 1, "start_date": "2027-01-01",
        "end_date": None, "month_to_month": True, "notice_days": 30,
        "late_fee": {"kind": "flat", "amount": "500.00", "cap": None, "grace_days": 5},
        "reminder_days": 3, "time_zone": "Asia/Kolkata", "autopay": False,
        "card_saved": False, "balance": "0.00", "credit": "0.00",
    }  # fmt: skip


def invoice(lease_id, invoice_id, status="open", **extra) -> dict:
    return {
        "id": invoice_id, "lease_id": lease_id, "status": status, "currency": "INR",
        "period_start": "2027-01-01", "period_end": "2027-02-01", "due_date": "2027-01-01",
        "prorated": False, "rent": "30000.00", "late_fee": "0.00", "waived": "0.00",
        "adjustments": "0.00", "paid": "0.00", "balance": "30000.00",
        "issued_at": "2026-12-25T00:05:00Z", "closed_at": None, **extra,
    }  # fmt: skip


def test_rent_events(kafka_topic, pair):
    tenant, landlord, property_id = pair
    topic = kafka_topic("rent-events-notification-test")
    lease_id, invoice_id = str(uuid.uuid4()), str(uuid.uuid4())

    def rent(event_type, payload, version):
        return envelope(event_type, "lease", payload, version=version, aggregate_id=lease_id)

    reminder = rent("invoice.reminder_due", invoice(lease_id, invoice_id), 3)
    events = [
        rent("lease.created", lease(tenant, landlord, property_id, lease_id), 1),
        rent("invoice.issued", invoice(lease_id, invoice_id), 2),
        reminder,
        reminder,  # delivered twice
        rent(
            "payment.succeeded",
            {
                "id": str(uuid.uuid4()),
                "lease_id": lease_id,
                "invoice_id": invoice_id,
                "kind": "online",
                "status": "succeeded",
                "amount": "30000.00",
                "currency": "INR",
            },
            4,
        ),
        rent("invoice.paid", invoice(lease_id, invoice_id, "paid", balance="0.00"), 5),
    ]
    kafka.produce(topic, events)
    consume("activity", topic, len(events))
    assert kinds(tenant["id"]) == [
        "invoice.issued", "invoice.reminder", "lease.created.tenant", "payment.succeeded",
        "user.welcome",
    ]  # fmt: skip
    assert kinds(landlord["id"]) == ["lease.created.landlord", "user.welcome"]
    receipt = Notification.objects.get(recipient_id=tenant["id"], kind="payment.succeeded")
    assert receipt.link.endswith("/receipt.pdf")
    assert "Sunny 2BHK near the park" in Notification.objects.get(kind="lease.created.tenant",
                                                                 recipient_id=tenant["id"]).title  # fmt: skip
    # the invoice was paid before its reminder's email went out: not mailed
    (delivery,) = Delivery.objects.filter(notification__kind="invoice.reminder", channel="email",
                                          notification__recipient_id=tenant["id"])  # fmt: skip
    assert services.delivery_send_email(delivery_id=delivery.id) == "suppressed"


def test_a_lease_s_later_turns_money_back_and_a_saved_card(kafka_topic, pair):
    tenant, landlord, property_id = pair
    topic = kafka_topic("rent-events-notification-later-test")
    lease_id, invoice_id = str(uuid.uuid4()), str(uuid.uuid4())
    base = lease(tenant, landlord, property_id, lease_id)

    def rent(event_type, payload, version):
        return envelope(event_type, "lease", payload, version=version, aggregate_id=lease_id)

    def refund(destination, status, version, **extra):
        payload = {"id": str(uuid.uuid4()), "payment_id": str(uuid.uuid4()),
                   "lease_id": lease_id, "amount": "1000.00", "currency": "INR",
                   "destination": destination, "status": status, "reason": "",
                   "last_error": "", **extra}  # fmt: skip
        return rent(f"refund.{'issued' if status == 'succeeded' else 'failed'}", payload, version)

    ended = {**base, "status": "ended", "end_date": "2027-06-30", "ended_on": "2027-07-01",
             "deposit": {"held": "60000.00", "settled": True, "returned_amount": "55000.00",
                         "deductions": [{"description": "Broken window", "amount": "5000.00",
                                         "kind": "damage"}]}}  # fmt: skip
    events = [
        rent("lease.created", base, 1),
        rent("card.saved", {**base, "card_saved": True}, 2),
        rent("invoice.voided", invoice(lease_id, invoice_id, "void", balance="0.00"), 3),
        rent("late_fee.waived", invoice(lease_id, str(uuid.uuid4()), waived="500.00"), 4),
        refund("credit", "succeeded", 5),
        refund("card", "failed", 6, last_error="card_declined"),
        rent(
            "lease.notice_given",
            {**base, "status": "ending", "end_date": "2027-06-30", "notice_given_by": "tenant"},
            7,
        ),
        rent("lease.ended", ended, 8),
        rent("deposit.returned", ended, 9),
        rent("lease.updated", base, 10),  # nobody is told of an edit
    ]
    kafka.produce(topic, events)
    consume("activity", topic, len(events))
    assert kinds(tenant["id"]) == [
        "card.saved", "deposit.returned.tenant", "invoice.voided", "late_fee.waived",
        "lease.created.tenant", "lease.ended.tenant", "lease.notice_given.tenant",
        "refund.issued", "user.welcome",
    ]  # fmt: skip
    assert kinds(landlord["id"]) == [
        "lease.created.landlord", "lease.ended.landlord", "lease.notice_given.landlord",
        "refund.failed", "user.welcome",
    ]  # fmt: skip
    deposit = Notification.objects.get(recipient_id=tenant["id"], kind="deposit.returned.tenant")
    assert deposit.body == (
        "INR 55000.00 returned of the INR 60000.00 deposit; deductions: Broken window INR 5000.00."
    )
    notice = Notification.objects.get(
        recipient_id=landlord["id"], kind="lease.notice_given.landlord"
    )
    assert "by the tenant" in notice.body and "2027-06-30" in notice.body
    failed = Notification.objects.get(recipient_id=landlord["id"], kind="refund.failed")
    assert "card_declined" in failed.body
    credit = Notification.objects.get(recipient_id=tenant["id"], kind="refund.issued")
    assert "credit" in credit.body


def test_visit_events(kafka_topic, pair):
    tenant, landlord, property_id = pair
    topic = kafka_topic("visit-events-notification-test")
    visit_id = str(uuid.uuid4())
    start = datetime(2027, 3, 15, 12, 30, tzinfo=UTC)

    def visit(event_type, version, status, at, **extra):
        payload = {
            "id": visit_id, "property_id": property_id, "property_title": "Sunny 2BHK",
            "tenant_id": tenant["id"], "owner_id": landlord["id"], "status": status,
            "start": at.isoformat().replace("+00:00", "Z"),
            "end": (at + timedelta(minutes=30)).isoformat().replace("+00:00", "Z"),
            "time_zone": "Asia/Kolkata", "kind": "private", "reason": None, "ended_by": None,
            "sequence": version, "previous_status": None, "actor_role": "tenant", **extra,
        }  # fmt: skip
        return envelope(event_type, "visit", payload, version=version)

    moved = start + timedelta(days=1)
    events = [
        visit("visit.requested", 1, "PENDING", start),
        visit("visit.confirmed", 2, "CONFIRMED", start),
        visit("visit.reminder_due", 2, "CONFIRMED", start, reminder="24h"),
        visit("visit.rescheduled", 3, "CONFIRMED", moved),
    ]
    kafka.produce(topic, events)
    consume("activity", topic, len(events))
    assert kinds(landlord["id"]) == [
        "user.welcome", "visit.reminder.landlord", "visit.requested.landlord",
        "visit.rescheduled.landlord",
    ]  # fmt: skip
    confirmed = Notification.objects.get(kind="visit.confirmed.tenant")
    assert "Mon 15 Mar 2027, 18:00 (Asia/Kolkata)" in confirmed.body  # the property's zone
    # the reminder of the old time is not mailed after the visit moved
    reminder = Delivery.objects.get(notification__kind="visit.reminder.tenant", channel="email")
    assert services.delivery_send_email(delivery_id=reminder.id) == "suppressed"


def test_booking_and_chat_events_on_kafka_once_each(kafka_topic, pair):
    tenant, landlord, property_id = pair
    bookings, chats = kafka_topic("booking-events-n-test"), kafka_topic("chat-events-n-test")
    confirmed = booking_event(booking_payload(tenant["id"], landlord["id"], property_id))
    kafka.produce(bookings, [confirmed, confirmed])
    consume("activity", bookings, 2)
    assert Notification.objects.filter(event_id=confirmed.id).count() == 2
    conversation = str(uuid.uuid4())
    message = envelope("message.sent", "conversation", {
        "conversation_id": conversation, "message_id": "42", "seq": 1,
        "sender_id": landlord["id"], "recipient_id": tenant["id"], "property_id": property_id,
        "preview": "Welcome!", "has_attachment": False,
        "created_at": "2026-12-01T10:00:00Z"}, aggregate_id=conversation)  # fmt: skip
    kafka.produce(chats, [message, message])
    consume("chat", chats, 2)
    (note,) = Notification.objects.filter(kind="chat.message", recipient_id=tenant["id"])
    assert note.title == "New message from Ravi Kumar" and note.body == "Welcome!"
    assert not note.deliveries.filter(channel="email").exists()  # chat mails come as digests
