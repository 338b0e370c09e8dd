"""Reads, and who may read what: a conversation's two participants read and write it,
admins read any (for reports) and write none; nobody else learns that it exists (404)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from rentezy_common.ended_sessions import session_is_ended

from .errors import AttachmentNotFound, ConversationNotFound, MessageNotFound, ReportNotFound
from .models import (
    Account,
    Attachment,
    Block,
    Conversation,
    Message,
    Participant,
    Report,
    RevokedSession,
)


def conversation_can_see(conversation: Conversation, *, actor) -> bool:
    if actor.role == "admin":
        return True
    return actor.id in (conversation.tenant_id, conversation.landlord_id)


def _with_details(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return conversations.select_related(
        "property", "last_message", "last_message__attachment"
    ).prefetch_related(Prefetch("participants", queryset=Participant.objects.order_by("role")))


def conversation_get_visible(*, conversation_id, actor) -> Conversation:
    """The conversation if the actor may see it; 404 otherwise (never a 403)."""
    conversation = _with_details(Conversation.objects.filter(pk=conversation_id)).first()
    if conversation is None or not conversation_can_see(conversation, actor=actor):
        raise ConversationNotFound()
    return conversation


def conversation_list_visible(*, actor) -> QuerySet[Conversation]:
    """The actor's conversations, latest activity first (an admin's: all of them). The
    last message and the unread count come from their columns: nothing is counted."""
    conversations = _with_details(Conversation.objects.order_by("-last_activity_at", "-id"))
    if actor.role == "admin":
        return conversations
    return conversations.filter(participants__user_id=actor.id)


def viewer_of(conversation: Conversation, user_id: str) -> Participant | None:
    """The participant row of `user_id` (from the prefetched participants)."""
    return next((p for p in conversation.participants.all() if p.user_id == user_id), None)


def message_list(*, conversation: Conversation, before=None, after=None, limit: int) -> tuple:
    """Up to `limit` messages in seq order: the latest ones (no cursor), those before
    `before` (scrolling up) or after `after` (catching up). Returns (messages, has_more)."""
    messages = Message.objects.filter(conversation=conversation).select_related("attachment")
    if after is not None:
        rows = list(messages.filter(seq__gt=after).order_by("seq")[: limit + 1])
        return rows[:limit], len(rows) > limit
    if before is not None:
        messages = messages.filter(seq__lt=before)
    rows = list(messages.order_by("-seq")[: limit + 1])
    return rows[:limit][::-1], len(rows) > limit


def message_changes_after(*, conversation_id, after: int, limit: int) -> list[Message]:
    """The messages changed (sent, edited, deleted) after the conversation's sequence
    number `after`, in the order of those changes: what a socket missed."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, change_seq__gt=after)
        .select_related("attachment")
        .order_by("change_seq")[:limit]
    )


def message_get_visible(*, message_id, actor) -> Message:
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None or not conversation_can_see(message.conversation, actor=actor):
        raise MessageNotFound()
    return message


def attachment_get_visible(*, attachment_id, actor) -> Attachment:
    attachment = Attachment.objects.select_related("conversation").filter(pk=attachment_id).first()
    if attachment is None or not conversation_can_see(attachment.conversation, actor=actor):
        raise AttachmentNotFound()
    return attachment


def block_list(*, actor) -> QuerySet[Block]:
    return Block.objects.filter(blocker_id=actor.id).order_by("-created_at", "-id")


def report_list(*, status: str | None = None) -> QuerySet[Report]:
    reports = Report.objects.order_by("-created_at", "-id")
    return reports.filter(status=status) if status else reports


def report_get(*, report_id) -> Report:
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        raise ReportNotFound()
    return report


# -- sockets ----------------------------------------------------------------------------
def socket_admissible(*, user_id: str, session_id: str | None) -> bool:
    """False for a session auth_service ended or a deactivated user."""
    if session_is_ended(RevokedSession, session_id):
        return False
    return not Account.objects.filter(pk=user_id, is_active=False).exists()


def socket_directory(*, user_id: str) -> tuple[dict[str, tuple[int, str]], set[str]]:
    """What a socket needs: the user's conversations ({id: (last sequence number, the
    other participant)}), and the people they talk to (whose presence they see)."""
    rows = Conversation.objects.filter(participants__user_id=user_id).values_list(
        "id", "last_seq", "tenant_id", "landlord_id"
    )
    conversations, people = {}, set()
    for conversation_id, last_seq, tenant_id, landlord_id in rows:
        other = landlord_id if tenant_id == user_id else tenant_id
        conversations[str(conversation_id)] = (last_seq, other)
        people.add(other)
    return conversations, people
