"""The JSON of chat_service's aggregates: what the API returns, what the WebSocket's
frames carry and what `chat-events` are built from, one function each
(docs/contracts/chat-events.md)."""

from __future__ import annotations

from .models import Attachment, Block, Conversation, Message, Participant, Report

ATTACHMENT_URL = "/api/chat/attachments/{id}/"


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def attachment_representation(attachment: Attachment) -> dict:
    return {
        "id": str(attachment.id),
        "conversation_id": str(attachment.conversation_id),
        "kind": attachment.kind,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "name": attachment.name,
        "width": attachment.width,
        "height": attachment.height,
        "url": ATTACHMENT_URL.format(id=attachment.id),
        "created_at": iso(attachment.created_at),
    }


def message_representation(message: Message) -> dict:
    """A message; a deleted one is its tombstone (no text, no attachment)."""
    deleted = message.deleted_at is not None
    attachment = None if deleted else message.attachment
    return {
        "id": str(message.pk),
        "conversation_id": str(message.conversation_id),
        "seq": message.seq,
        "change_seq": message.change_seq,
        "sender_id": message.sender_id,
        "client_id": message.client_id,
        "body": "" if deleted else message.body,
        "attachment": attachment_representation(attachment) if attachment else None,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at),
        "deleted_at": iso(message.deleted_at),
        "deleted": deleted,
    }


def participant_representation(participant: Participant) -> dict:
    return {
        "user_id": participant.user_id,
        "role": participant.role,
        "last_read_seq": participant.last_read_seq,
    }


def conversation_representation(
    conversation: Conversation, *, viewer: Participant | None = None, participants=None
) -> dict:
    """A conversation as `viewer` sees it (their unread count; None for an admin)."""
    participants = participants if participants is not None else conversation.participants.all()
    last = conversation.last_message
    return {
        "id": str(conversation.id),
        "tenant_id": conversation.tenant_id,
        "landlord_id": conversation.landlord_id,
        "property_id": str(conversation.property_id),
        "property_title": conversation.property.title,
        "booking_id": str(conversation.booking_id) if conversation.booking_id else None,
        "started_by": conversation.started_by,
        "last_seq": conversation.last_seq,
        "last_message": message_representation(last) if last else None,
        "last_activity_at": iso(conversation.last_activity_at),
        "created_at": iso(conversation.created_at),
        "participants": [participant_representation(p) for p in participants],
        "unread_count": viewer.unread_count if viewer else None,
        "last_read_seq": viewer.last_read_seq if viewer else None,
    }


def conversation_event_payload(conversation: Conversation) -> dict:
    """`conversation.started`: who talks about what (no messages)."""
    return {
        "id": str(conversation.id),
        "tenant_id": conversation.tenant_id,
        "landlord_id": conversation.landlord_id,
        "property_id": str(conversation.property_id),
        "booking_id": str(conversation.booking_id) if conversation.booking_id else None,
        "started_by": conversation.started_by,
        "created_at": iso(conversation.created_at),
    }


def block_representation(block: Block) -> dict:
    return {"user_id": block.blocked_id, "created_at": iso(block.created_at)}


def report_representation(report: Report) -> dict:
    return {
        "id": str(report.id),
        "conversation_id": str(report.conversation_id),
        "reporter_id": report.reporter_id,
        "reported_id": report.reported_id,
        "message_id": str(report.message_id) if report.message_id else None,
        "reason": report.reason,
        "note": report.note,
        "status": report.status,
        "created_at": iso(report.created_at),
        "resolved_at": iso(report.resolved_at),
        "resolved_by": report.resolved_by or None,
        "resolution": report.resolution or None,
    }
