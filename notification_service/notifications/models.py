"""The directory of recipients (from `user-events`), what notification_service knows of
properties and of the things its messages talk about, the notifications themselves,
their deliveries per channel, each user's inbox counter and preferences.

A notification is unique per (event id, recipient): a redelivered or replayed event
finds its notifications already there and adds nothing (the consumer's ledger drops it
before that; the constraint is the backstop). Each notification has at most one
delivery per channel, so an email is queued once, whatever retries or sweeps happen.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from rentezy_common.ended_sessions import EndedSessionBase

from .choices import Category, Channel, DeliveryStatus


class Recipient(models.Model):
    """A user as `user-events` last described them: where and how to write to them."""

    user_id = models.CharField(primary_key=True, max_length=64)
    email = models.CharField(max_length=254, blank=True, default="")
    full_name = models.CharField(max_length=150, blank=True, default="")
    role = models.CharField(max_length=16, blank=True, default="")
    locale = models.CharField(max_length=35, default="en")
    time_zone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    email_verified = models.BooleanField(default=False)
    version = models.BigIntegerField(default=0)  # the user's newest event applied
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}> ({self.user_id})"


class RevokedSession(EndedSessionBase):
    """A session auth_service ended (`session.revoked`): its sockets are closed, and a
    socket it opens later (its token still in the gateway's introspection cache) is
    refused (rentezy_common.ended_sessions)."""


class Property(models.Model):
    """A property's title and owner, for the messages that name it (`property-events`)."""

    id = models.UUIDField(primary_key=True)
    owner_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True, default="")
    time_zone = models.CharField(max_length=64, blank=True, default="")
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return self.title or str(self.id)


class Subject(models.Model):
    """The newest known status of a thing messages talk about (a booking, a visit, an
    invoice): an email whose message is no longer true when it is due (a checkout link
    for a hold that has since been paid or expired) is suppressed at send time."""

    kind = models.CharField(max_length=32)
    ref_id = models.CharField(max_length=64)
    status = models.CharField(max_length=32)
    # What else a message may depend on: the parties of a lease (its invoices' events
    # name only the lease), a visit's start (a reminder of a moved visit is not sent).
    data = models.JSONField(default=dict, blank=True)
    version = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref_id"], name="subject_unique_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref_id}: {self.status}"


class Notification(models.Model):
    """One message to one person, built from one event."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event_id = models.UUIDField()
    recipient_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=64)  # the catalogue's name: "booking.confirmed.tenant"
    category = models.CharField(max_length=16, choices=Category.choices)
    critical = models.BooleanField(default=False)  # security: preferences do not apply
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    link = models.CharField(max_length=500, blank=True, default="")  # a path of the web app
    # What the templates need beyond title/body/link; secrets (a reset token) only in
    # `secret`, which no API returns.
    data = models.JSONField(default=dict, blank=True)
    secret = models.CharField(max_length=200, blank=True, default="")
    # The thing the message talks about, and the statuses in which it is still true.
    subject_kind = models.CharField(max_length=32, blank=True, default="")
    subject_ref = models.CharField(max_length=64, blank=True, default="")
    valid_while = models.JSONField(default=list, blank=True)
    valid_data = models.JSONField(
        default=dict, blank=True
    )  # and the subject's data still says this
    address = models.CharField(max_length=254, blank=True, default="")  # instead of the directory's
    in_inbox = models.BooleanField(default=True)  # False when in-app is off for its category
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "recipient_id"], name="notification_once_per_event_recipient"
            ),
        ]
        indexes = [
            # The inbox: a recipient's live rows, newest first (the cursor's order).
            models.Index(
                fields=["recipient_id", "-created_at", "-id"],
                name="notification_inbox",
                condition=Q(in_inbox=True, archived_at__isnull=True),
            ),
            models.Index(fields=["recipient_id", "kind", "created_at"], name="notification_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}"


class Delivery(models.Model):
    """A notification's delivery on one channel (docs: notifications/states.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.IntegerField(default=0)
    # When the next attempt is due (email): now when queued, later after a failure; the
    # sweeper queues the due ones whose task was lost.
    due_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)  # last handed to Celery
    last_error = models.CharField(max_length=500, blank=True, default="")
    reason = models.CharField(max_length=64, blank=True, default="")  # why suppressed/failed
    address = models.CharField(max_length=254, blank=True, default="")
    message_id = models.CharField(max_length=200, blank=True, default="")  # the email's Message-ID
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
            models.CheckConstraint(condition=Q(attempts__gte=0), name="delivery_attempts_gte_0"),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="delivery_due", condition=Q(status="queued")),
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery {self.id}: {self.status}"


class Inbox(models.Model):
    """A user's unread count, kept in the transactions that change it, so the bell costs
    one primary-key read however long the inbox is."""

    user_id = models.CharField(primary_key=True, max_length=64)
    unread = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(unread__gte=0), name="inbox_unread_gte_0")
        ]

    def __str__(self) -> str:
        return f"inbox of {self.user_id}: {self.unread} unread"


class Preference(models.Model):
    """One choice of a user: a category on a channel, on or off. A missing row is the
    default (on)."""

    user_id = models.CharField(max_length=64)
    category = models.CharField(max_length=16, choices=Category.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "category", "channel"], name="preference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.category}/{self.channel} {'on' if self.enabled else 'off'}"


class ChatUnread(models.Model):
    """A chat message not yet read by its recipient, waiting for the digest: the digest
    task mails the ones still unread after NOTIFICATION_CHAT_DIGEST_MINUTES, one email per
    recipient per window (`digested_at` set in the same transaction)."""

    recipient_id = models.CharField(max_length=64)
    conversation_id = models.UUIDField()
    message_id = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    sender_id = models.CharField(max_length=64)
    preview = models.CharField(max_length=300, blank=True, default="")
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_id", "message_id"], name="chat_unread_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["sent_at"],
                name="chat_unread_pending",
                condition=Q(read_at__isnull=True, digested_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} to {self.recipient_id}"
