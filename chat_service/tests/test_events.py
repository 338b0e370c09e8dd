"""What other services' events change here (through the consumers' handlers), the
consumers on real Kafka, and attachments checked by their bytes."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace

import pytest
from chat import attachments, handlers
from chat.models import Account, Attachment, Property, Relation, RevokedSession
from chat.selectors import socket_admissible
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from rentezy_common.events.consumer import RejectedEvent, get_consumer
from rentezy_common.testing import kafka
from tests.conftest import envelope, new_user_id, publish_property, send

pytestmark = pytest.mark.django_db


def apply(handler, *args, **kwargs) -> None:
    with transaction.atomic():
        handler(envelope(*args, **kwargs))


# -- directory ---------------------------------------------------------------------------
def test_property_snapshots_keep_the_newest_version(landlord):
    property_id = publish_property(landlord.user_id, version=3)
    publish_property(landlord.user_id, status="unpublished", version=2, property_id=property_id)
    assert Property.objects.get(pk=property_id).status == "published"
    publish_property(landlord.user_id, status="deleted", version=4, property_id=property_id)
    assert Property.objects.get(pk=property_id).status == "deleted"


def test_bookings_and_visits_become_relations(tenant, landlord):
    listing = publish_property(landlord.user_id)
    booking = {"id": str(uuid.uuid4()), "tenant_id": tenant.user_id, "owner_id": landlord.user_id,
               "property_id": listing, "status": "PENDING"}  # fmt: skip
    apply(handlers.on_directory_event, "booking.held", "booking", booking, version=1)
    apply(handlers.on_directory_event, "booking.confirmed", "booking",
          {**booking, "status": "CONFIRMED"}, version=2)  # fmt: skip
    apply(handlers.on_directory_event, "booking.held", "booking", booking, version=1)  # replayed
    assert Relation.objects.get(ref_id=booking["id"]).status == "CONFIRMED"
    visit = {"id": str(uuid.uuid4()), "tenant_id": tenant.user_id, "landlord_id": landlord.user_id,
             "property_id": listing, "status": "requested"}  # fmt: skip
    apply(handlers.on_directory_event, "visit.requested", "visit", visit)
    assert Relation.objects.get(ref_id=visit["id"]).kind == "visit"
    # room availability on booking-events is not chat's business
    apply(handlers.on_directory_event, "inventory.changed", "room", {"id": str(uuid.uuid4())})
    with pytest.raises(RejectedEvent):
        apply(handlers.on_directory_event, "booking.held", "booking", {"id": "x"})


def test_ended_sessions_and_deactivated_users_are_refused_sockets():
    user, session = new_user_id(), uuid.uuid4().hex
    assert socket_admissible(user_id=user, session_id=session)
    apply(handlers.on_user_event, "session.revoked", "user",
          {"user_id": user, "session_id": session, "reason": "logout"})  # fmt: skip
    apply(handlers.on_user_event, "session.revoked", "user",
          {"user_id": user, "session_id": session, "reason": "logout"})  # fmt: skip
    assert RevokedSession.objects.filter(pk=session).count() == 1
    assert not socket_admissible(user_id=user, session_id=session)
    assert socket_admissible(user_id=user, session_id="another")
    apply(handlers.on_user_event, "user.deactivated", "user", {"id": user}, version=5)
    assert not socket_admissible(user_id=user, session_id="another")
    apply(handlers.on_user_event, "user.activated", "user", {"id": user}, version=4)  # older
    assert not Account.objects.get(pk=user).is_active
    apply(handlers.on_user_event, "user.activated", "user", {"id": user}, version=6)
    assert socket_admissible(user_id=user, session_id="another")


@pytest.mark.django_db(transaction=True)
def test_the_directory_consumer_reads_real_kafka(kafka_topic, landlord):
    topic = kafka_topic("property-events-chat-test", partitions=3)
    spec = replace(get_consumer("directory"), name=f"test-{uuid.uuid4().hex[:8]}", topics=[topic])
    property_id = str(uuid.uuid4())
    snapshot = {
        "id": property_id,
        "owner_id": landlord.user_id,
        "status": "published",
        "title": "A",
    }
    kafka.produce(
        topic,
        [
            envelope("property.published", "property", snapshot, version=1),
            envelope("property.updated", "property", {**snapshot, "title": "B"}, version=2),
        ],
    )
    kafka.run_consumer(spec, messages=2)
    assert Property.objects.get(pk=property_id).title == "B"


# -- attachments ---------------------------------------------------------------------------
def png_bytes(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def media_in(path, settings) -> dict:
    """The storages setting with attachments in `path` (a test's own directory)."""
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(path)}}
    return {**settings.STORAGES, "default": default}


def upload(client, conversation_id, data: bytes, name: str):
    return client.post(
        "/api/chat/attachments/",
        {"conversation_id": conversation_id, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_images_and_pdfs_are_sent_and_served_to_participants_only(
    tenant, landlord, other_tenant, conversation, settings, tmp_path
):
    settings.STORAGES = media_in(tmp_path, settings)
    image = upload(tenant, conversation, png_bytes(), "../../etc/photo.png")
    assert image.status_code == 201, image.content
    body = image.json()
    assert (body["kind"], body["content_type"], body["name"], body["width"]) == (
        "image", "image/png", "photo.png", 8,
    )  # fmt: skip
    sent = send(tenant, conversation, "", attachment_id=body["id"])
    assert sent.status_code == 201 and sent.json()["attachment"]["id"] == body["id"]
    again = send(tenant, conversation, "again", attachment_id=body["id"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "attachment_in_use"
    served = landlord.get(body["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes()
    assert other_tenant.get(body["url"]).status_code == 404
    pdf = upload(landlord, conversation, PDF, "lease.pdf")
    assert pdf.status_code == 201 and pdf.json()["kind"] == "pdf"
    # deleting the message deletes its file
    assert attachments.exists(Attachment.objects.get(pk=body["id"]).storage_name)
    tenant.delete(f"/api/chat/messages/{sent.json()['id']}/")
    assert not Attachment.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"just some text, not an image", 415),
        (b"", 400),
        (png_bytes()[:40], 415),  # a truncated image
        (b"%PDF-1.4 no trailer", 415),
    ],
)
def test_anything_else_is_refused(tenant, conversation, settings, tmp_path, data, status):
    settings.STORAGES = media_in(tmp_path, settings)
    assert upload(tenant, conversation, data, "x.png").status_code == status


def test_too_large_is_413(tenant, conversation, settings, tmp_path):
    settings.STORAGES = media_in(tmp_path, settings)
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1000
    refused = upload(tenant, conversation, png_bytes((200, 200)) + b"\0" * 2000, "big.png")
    assert refused.status_code == 413
    assert upload(tenant, str(uuid.uuid4()), png_bytes(), "a.png").status_code == 404
