"""Conversations, their messages (the log), read markers, attachments, blocks, reports;
and what chat_service knows from other services' events: properties and their owners,
bookings and visits (who may write to whom), revoked sessions and deactivated users.

The log: a conversation's `last_seq` is its counter. Every change of a message (sent,
edited, deleted) takes the next value in the transaction that makes it, under the
conversation's row lock, so values are assigned in commit order without gaps: a new
message's `seq` is its place in the conversation, and `change_seq` is the value of its
latest change (= `seq` until it is edited or deleted). A client that has seen every
change up to N asks for `change_seq > N` and gets, in order, exactly what it missed.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from rentezy_common.ended_sessions import EndedSessionBase

from .choices import AttachmentKind, ParticipantRole, RelationKind, ReportReason, ReportStatus

USER_ID = {"max_length": 64}


# -- what other services told us ---------------------------------------------------------
class Property(models.Model):
    """The newest `property-events` snapshot applied (its owner is the landlord)."""

    id = models.UUIDField(primary_key=True)
    owner_id = models.CharField(**USER_ID)
    title = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=16)
    version = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "properties"

    def __str__(self) -> str:
        return f"{self.title or self.id} ({self.status})"


class Relation(models.Model):
    """A booking or a visit between a tenant and a landlord about a property: what
    lets a landlord start a conversation, and what a conversation may be linked to."""

    kind = models.CharField(max_length=16, choices=RelationKind.choices)
    ref_id = models.UUIDField()  # the booking's or the visit's id
    tenant_id = models.CharField(**USER_ID)
    landlord_id = models.CharField(**USER_ID)
    property_id = models.UUIDField()
    status = models.CharField(max_length=32, blank=True, default="")
    version = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref_id"], name="chat_relation_unique_ref")
        ]
        indexes = [models.Index(fields=["landlord_id", "tenant_id"], name="chat_relation_pair")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref_id}"


class RevokedSession(EndedSessionBase):
    """A session auth_service ended (`session.revoked`): its sockets are closed, and a
    socket it opens later (a token still in the gateway's cache) is refused
    (rentezy_common.ended_sessions)."""


class Account(models.Model):
    """A user whose state chat must know (`user.deactivated` / `user.activated`)."""

    user_id = models.CharField(primary_key=True, **USER_ID)
    is_active = models.BooleanField(default=True)
    version = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"user {self.user_id} ({'active' if self.is_active else 'deactivated'})"


# -- conversations ----------------------------------------------------------------------
class Conversation(models.Model):
    """One per (tenant, landlord, property), optionally linked to a booking."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    tenant_id = models.CharField(**USER_ID)
    landlord_id = models.CharField(**USER_ID)
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="+")
    booking_id = models.UUIDField(null=True, blank=True)
    started_by = models.CharField(**USER_ID)
    # The log's counter: the value of its latest change (see the module docstring).
    last_seq = models.BigIntegerField(default=0)
    last_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "landlord_id", "property"], name="chat_one_conversation"
            ),
        ]
        indexes = [models.Index(fields=["-last_activity_at"], name="chat_conv_activity")]

    def __str__(self) -> str:
        return f"conversation {self.id}"

    def other(self, user_id: str) -> str:
        return self.landlord_id if user_id == self.tenant_id else self.tenant_id


class Participant(models.Model):
    """A participant's place in a conversation: read marker and unread count (kept up
    to date by the writes, so a list never counts messages)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user_id = models.CharField(**USER_ID)
    role = models.CharField(max_length=16, choices=ParticipantRole.choices)
    last_read_seq = models.BigIntegerField(default=0)
    unread_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user_id"], name="chat_one_participant"
            ),
            models.CheckConstraint(condition=Q(unread_count__gte=0), name="chat_unread_gte_0"),
        ]
        indexes = [models.Index(fields=["user_id"], name="chat_participant_user")]

    def __str__(self) -> str:
        return f"{self.role} {self.user_id} in {self.conversation_id}"


class Attachment(models.Model):
    """An image or PDF uploaded into a conversation, checked by its bytes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="attachments"
    )
    uploader_id = models.CharField(**USER_ID)
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices)
    content_type = models.CharField(max_length=64)
    size = models.BigIntegerField()
    name = models.CharField(max_length=200)  # the client's file name, cleaned, for display
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)
    width = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.BigIntegerField()
    change_seq = models.BigIntegerField()
    sender_id = models.CharField(**USER_ID)
    # The sender's id for this message: a retried send with it returns the first one.
    client_id = models.CharField(max_length=64)
    body = models.TextField(blank=True, default="")
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="message"
    )
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(
                fields=["conversation", "change_seq"], name="chat_message_change_seq"
            ),
            models.UniqueConstraint(
                fields=["conversation", "sender_id", "client_id"], name="chat_message_client_id"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} in {self.conversation_id}"


# -- safety -----------------------------------------------------------------------------
class Block(models.Model):
    """`blocker_id` blocked `blocked_id`: neither can send to the other meanwhile."""

    blocker_id = models.CharField(**USER_ID)
    blocked_id = models.CharField(**USER_ID)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker_id", "blocked_id"], name="chat_one_block")
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocked {self.blocked_id}"


class Report(models.Model):
    """A participant reported the other (or one message) to the moderators."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="+")
    reporter_id = models.CharField(**USER_ID)
    reported_id = models.CharField(**USER_ID)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=32, choices=ReportReason.choices)
    note = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default="open")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True, default="")
    resolution = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "-created_at"], name="chat_report_queue")]

    def __str__(self) -> str:
        return f"report {self.id} ({self.status})"
