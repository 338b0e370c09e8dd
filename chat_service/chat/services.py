"""Chat use cases: start a conversation, send, edit, delete, mark read, block, report,
upload an attachment; and what other services' events change here (properties,
bookings and visits, ended sessions, deactivated users).

The log's rule (chat/models.py): every change of a conversation's messages locks the
conversation's row (`SELECT ... FOR NO KEY UPDATE`), takes `last_seq + 1` as its
sequence number, writes, records its event in the outbox and commits, all in one
transaction; only then are the sockets woken up (chat/realtime.py). So sequence numbers
follow commit order without gaps, a message is in PostgreSQL before anyone is told of
it, and an acknowledged message is never lost. A send carries the sender's
`client_id`: a retry finds the first message (unique per conversation and sender) and
returns it instead of storing it twice.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from rentezy_common.ended_sessions import session_ended
from rentezy_common.errors import ApiError, IllegalTransition
from rentezy_common.events import publish_event

from . import attachments, limits, policies, realtime
from .choices import ParticipantRole, RelationKind, ReportStatus
from .errors import (
    AttachmentInUse,
    AttachmentNotFound,
    Blocked,
    CannotStart,
    ConversationNotFound,
    EditWindowClosed,
    InvalidMessage,
    MessageDeleted,
    MessageNotFound,
    NoRelation,
    PropertyNotFound,
    ReadOnly,
)
from .models import (
    Account,
    Attachment,
    Block,
    Conversation,
    Message,
    Participant,
    Property,
    Relation,
    Report,
    RevokedSession,
)
from .representation import (
    conversation_event_payload,
    iso,
    message_representation,
    report_representation,
)
from .selectors import report_get
from .states import EVENT_TYPES, can_transition

logger = logging.getLogger(__name__)
PUBLISHED = "published"


def _writer(actor) -> None:
    if actor.role == "admin":
        raise ReadOnly()


def _locked(conversation_id, actor) -> Conversation:
    """The conversation, its row locked, if the actor takes part in it (else 404)."""
    conversation = (
        Conversation.objects.select_for_update(no_key=True).filter(pk=conversation_id).first()
    )
    if conversation is None or actor.id not in (conversation.tenant_id, conversation.landlord_id):
        raise ConversationNotFound()
    return conversation


def _participants(conversation: Conversation) -> list[str]:
    return [conversation.tenant_id, conversation.landlord_id]


def _wake_change(conversation: Conversation, message: Message, kind: str) -> None:
    realtime.publish_on_commit(
        _participants(conversation),
        {
            "type": "chat.change",
            "conversation_id": str(conversation.id),
            "seq": message.change_seq,
            "kind": kind,
            "participants": _participants(conversation),
            "message": message_representation(message),
        },
    )


# -- conversations ----------------------------------------------------------------------
def conversation_start(
    *, actor, property_id, tenant_id: str | None = None, booking_id=None
) -> tuple[Conversation, bool]:
    """The conversation of (tenant, landlord, property): the existing one, or a new one
    if the actor may start it. A tenant writes about a published property (or one they
    booked or visited); a landlord, about their property, to a tenant who has a booking
    or a visit with them. Returns (conversation, created)."""
    _writer(actor)
    prop = Property.objects.filter(pk=property_id).first()
    if prop is None or prop.status == "deleted":
        raise PropertyNotFound()
    if actor.role == "tenant":
        tenant, landlord = actor.id, prop.owner_id
        if tenant == landlord:
            raise CannotStart("You own this property.")
        known = Relation.objects.filter(tenant_id=tenant, landlord_id=landlord, property_id=prop.id)
        if prop.status != PUBLISHED and not known.exists():
            raise PropertyNotFound()
    else:
        if prop.owner_id != actor.id:
            raise PropertyNotFound()
        if not tenant_id:
            raise ApiError(
                "A landlord names the tenant.",
                code="invalid",
                details={"tenant_id": ["Required when a landlord starts a conversation."]},
            )
        tenant, landlord = str(tenant_id), actor.id
        if not Relation.objects.filter(tenant_id=tenant, landlord_id=landlord).exists():
            raise NoRelation()
    if (
        booking_id is not None
        and not Relation.objects.filter(
            kind=RelationKind.BOOKING, ref_id=booking_id, tenant_id=tenant, property_id=prop.id
        ).exists()
    ):
        raise CannotStart(
            "No such booking of this tenant for this property.",
            details={"booking_id": ["Not a booking of this tenant for this property."]},
        )

    existing = Conversation.objects.filter(
        tenant_id=tenant, landlord_id=landlord, property=prop
    ).first()
    if existing is None:
        try:
            with transaction.atomic():
                return _create_conversation(actor, prop, tenant, landlord, booking_id), True
        except IntegrityError:
            # Both sides started it at once: the unique constraint let one in.
            existing = Conversation.objects.get(
                tenant_id=tenant, landlord_id=landlord, property=prop
            )
    if booking_id is not None and existing.booking_id is None:
        Conversation.objects.filter(pk=existing.pk, booking_id__isnull=True).update(
            booking_id=booking_id
        )
        existing.booking_id = booking_id
    return existing, False


def _create_conversation(actor, prop, tenant, landlord, booking_id) -> Conversation:
    now = timezone.now()
    conversation = Conversation.objects.create(
        tenant_id=tenant,
        landlord_id=landlord,
        property=prop,
        booking_id=booking_id,
        started_by=actor.id,
        last_activity_at=now,
    )
    Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, user_id=tenant, role=ParticipantRole.TENANT),
            Participant(conversation=conversation, user_id=landlord, role=ParticipantRole.LANDLORD),
        ]
    )
    publish_event(
        topic=settings.CHAT_EVENTS_TOPIC,
        event_type="conversation.started",
        aggregate_type="conversation",
        aggregate_id=conversation.id,
        payload=conversation_event_payload(conversation),
    )
    realtime.publish_on_commit(
        [tenant, landlord],
        {
            "type": "chat.conversation",
            "conversation_id": str(conversation.id),
            "tenant_id": tenant,
            "landlord_id": landlord,
            "property_id": str(prop.id),
            "started_by": actor.id,
        },
    )
    return conversation


# -- messages ---------------------------------------------------------------------------
_SENT = """
SELECT id FROM chat_message WHERE conversation_id = %s AND sender_id = %s AND client_id = %s
"""


def _sent(conversation_id, sender_id: str, client_id: str) -> Message | None:
    """The message this client id already stored, if any. Asked before every send, and
    nearly always None: plain SQL, since compiling the ORM's query cost more CPU than
    the rest of the send (bench/chat/send_cpu.py); the ORM loads the rare retry."""
    with connection.cursor() as cursor:
        cursor.execute(_SENT, [conversation_id, sender_id, client_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return Message.objects.select_related("attachment").get(pk=row[0])


# A send is two statements under the conversation's row lock (plus the outbox row): the
# sequence number, the recipient's unread count and the block check in one, the message
# and the conversation's `last_message` in the other. The ORM took nine round trips for
# the same (bench/chat: most of chat_service's CPU per message was in them).
_TAKE_SEQ = """
WITH conversation AS (
    UPDATE chat_conversation
       SET last_seq = last_seq + 1, last_activity_at = %(now)s
     WHERE id = %(conversation_id)s AND %(sender_id)s IN (tenant_id, landlord_id)
 RETURNING id, tenant_id, landlord_id, property_id, last_seq
), unread AS (
    UPDATE chat_participant AS p
       SET unread_count = p.unread_count + 1
      FROM conversation AS c
     WHERE p.conversation_id = c.id AND p.user_id <> %(sender_id)s
)
SELECT c.tenant_id, c.landlord_id, c.property_id, c.last_seq,
       EXISTS (SELECT 1 FROM chat_block AS b
                WHERE (b.blocker_id = c.tenant_id AND b.blocked_id = c.landlord_id)
                   OR (b.blocker_id = c.landlord_id AND b.blocked_id = c.tenant_id))
  FROM conversation AS c
"""
_INSERT_MESSAGE = """
WITH message AS (
    INSERT INTO chat_message
           (conversation_id, seq, change_seq, sender_id, client_id, body, attachment_id,
            created_at)
    VALUES (%(conversation_id)s, %(seq)s, %(seq)s, %(sender_id)s, %(client_id)s, %(body)s,
            %(attachment_id)s, %(now)s)
    ON CONFLICT (conversation_id, sender_id, client_id) DO NOTHING
 RETURNING id
), latest AS (
    UPDATE chat_conversation AS c SET last_message_id = m.id
      FROM message AS m WHERE c.id = %(conversation_id)s
)
SELECT id FROM message
"""


def _take_seq(conversation_id, actor, now) -> tuple[Conversation, bool]:
    """Lock the conversation's row (the UPDATE takes the same `FOR NO KEY UPDATE` lock
    as `_locked`), take its next sequence number, count the message as unread for the
    recipient; returns (the conversation as it now stands, blocked between the two).
    404 if the actor does not take part in it. The caller rolls all of it back if the
    send is refused."""
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE_SEQ, {"conversation_id": conversation_id, "sender_id": actor.id, "now": now}
        )
        row = cursor.fetchone()
    if row is None:
        raise ConversationNotFound()
    tenant_id, landlord_id, property_id, last_seq, blocked = row
    # The columns a send reads, from the UPDATE's RETURNING; not an instance to save.
    conversation = Conversation(
        id=conversation_id,
        tenant_id=tenant_id,
        landlord_id=landlord_id,
        property_id=property_id,
        last_seq=last_seq,
        last_activity_at=now,
    )
    return conversation, blocked


def message_send(
    *, actor, conversation_id, client_id: str, body: str = "", attachment_id=None
) -> tuple[Message, bool]:
    """Store a message and return (message, created). A retry with the same
    `client_id` returns the first message with created=False, and stores nothing."""
    _writer(actor)
    existing = _sent(conversation_id, actor.id, client_id)
    if existing is not None:
        return existing, False
    body = policies.clean_body(body or "")
    problem = policies.body_problem(
        body, has_attachment=attachment_id is not None, max_chars=settings.CHAT_MESSAGE_MAX_CHARS
    )
    if problem:
        raise InvalidMessage(details={"body": [problem]})
    limits.send_allowed(actor.id)
    now = timezone.now()
    with transaction.atomic():
        conversation, blocked = _take_seq(conversation_id, actor, now)
        if blocked:
            raise Blocked()
        recipient = conversation.other(actor.id)
        attachment = None
        if attachment_id is not None:
            attachment = (
                Attachment.objects.select_for_update()
                .filter(pk=attachment_id, conversation_id=conversation.id, uploader_id=actor.id)
                .first()
            )
            if attachment is None:
                raise AttachmentNotFound()
            if Message.objects.filter(attachment=attachment).exists():
                raise AttachmentInUse()
        seq = conversation.last_seq
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT_MESSAGE,
                {
                    "conversation_id": conversation.id,
                    "seq": seq,
                    "sender_id": actor.id,
                    "client_id": client_id,
                    "body": body,
                    "attachment_id": attachment.pk if attachment else None,
                    "now": now,
                },
            )
            inserted = cursor.fetchone()
        if inserted is None:
            # A send with this client id committed while we waited for the lock: give
            # back its sequence number (and the unread count) and return that message.
            transaction.set_rollback(True)
        else:
            message = Message(
                id=inserted[0],
                conversation_id=conversation.id,
                seq=seq,
                change_seq=seq,
                sender_id=actor.id,
                client_id=client_id,
                body=body,
                attachment=attachment,
                created_at=now,
            )
            publish_event(
                topic=settings.CHAT_EVENTS_TOPIC,
                event_type="message.sent",
                aggregate_type="conversation",
                aggregate_id=conversation.id,
                payload={
                    "conversation_id": str(conversation.id),
                    "message_id": str(message.pk),
                    "seq": seq,
                    "sender_id": actor.id,
                    "recipient_id": recipient,
                    "property_id": str(conversation.property_id),
                    "preview": policies.preview(
                        body, attachment_kind=attachment.kind if attachment else None
                    ),
                    "has_attachment": attachment is not None,
                    "created_at": iso(now),
                },
            )
            _wake_change(conversation, message, "new")
    if inserted is None:
        return _sent(conversation_id, actor.id, client_id), False
    return message, True


def _changing(actor, message_id) -> tuple[Conversation, Message]:
    """Lock a message's conversation for its author's change, within the window."""
    found = Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True)
    conversation_id = found.first()
    if conversation_id is None:
        raise MessageNotFound()
    try:
        conversation = _locked(conversation_id, actor)
    except ConversationNotFound:
        raise MessageNotFound() from None
    message = Message.objects.select_related("attachment").get(pk=message_id)
    if message.sender_id != actor.id:
        raise EditWindowClosed("Only its author may change a message.")
    if message.deleted_at is not None:
        raise MessageDeleted()
    if not policies.edit_window_open(
        created_at=message.created_at,
        now=timezone.now(),
        window_seconds=settings.CHAT_EDIT_WINDOW_SECONDS,
    ):
        raise EditWindowClosed()
    return conversation, message


def _next_change(conversation: Conversation, message: Message) -> None:
    message.change_seq = conversation.last_seq + 1
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=message.change_seq)


def message_edit(*, actor, message_id, body: str) -> Message:
    """The author rewrites the text within the edit window (a new change of the log)."""
    _writer(actor)
    body = policies.clean_body(body or "")
    with transaction.atomic():
        conversation, message = _changing(actor, message_id)
        problem = policies.body_problem(
            body,
            has_attachment=message.attachment_id is not None,
            max_chars=settings.CHAT_MESSAGE_MAX_CHARS,
        )
        if problem:
            raise InvalidMessage(details={"body": [problem]})
        _next_change(conversation, message)
        message.body = body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at", "change_seq"])
        _wake_change(conversation, message, "edited")
    return message


def message_delete(*, actor, message_id) -> Message:
    """The author deletes within the edit window: the row stays as a tombstone (its
    place in the log), its text and attachment are gone."""
    _writer(actor)
    with transaction.atomic():
        conversation, message = _changing(actor, message_id)
        _next_change(conversation, message)
        attachment = message.attachment
        message.body = ""
        message.attachment = None
        message.deleted_at = timezone.now()
        message.save(update_fields=["body", "attachment", "deleted_at", "change_seq"])
        if attachment is not None:
            name = attachment.storage_name
            attachment.delete()
            transaction.on_commit(lambda: attachments.remove(name))
        # It no longer counts as unread for the other participant.
        Participant.objects.filter(
            conversation=conversation,
            user_id=conversation.other(actor.id),
            last_read_seq__lt=message.seq,
        ).update(unread_count=Greatest(F("unread_count") - 1, 0))
        _wake_change(conversation, message, "deleted")
    return message


def conversation_mark_read(*, actor, conversation_id, seq: int) -> tuple[Participant, bool]:
    """Move the actor's read marker forward to `seq` (never back; at most the
    conversation's last sequence number). Returns (participant, moved)."""
    _writer(actor)
    with transaction.atomic():
        conversation = _locked(conversation_id, actor)
        participant = Participant.objects.get(conversation=conversation, user_id=actor.id)
        seq = min(int(seq), conversation.last_seq)
        if seq <= participant.last_read_seq:
            return participant, False
        participant.last_read_seq = seq
        # Only the messages after the marker are counted (normally none).
        participant.unread_count = (
            Message.objects.filter(conversation=conversation, seq__gt=seq, deleted_at__isnull=True)
            .exclude(sender_id=actor.id)
            .count()
        )
        participant.save(update_fields=["last_read_seq", "unread_count"])
        # Notifications leave what was read here out of the unread-chat digest.
        publish_event(
            topic=settings.CHAT_EVENTS_TOPIC,
            event_type="conversation.read",
            aggregate_type="conversation",
            aggregate_id=conversation.id,
            payload={
                "conversation_id": str(conversation.id),
                "user_id": actor.id,
                "last_read_seq": seq,
                "read_at": iso(timezone.now()),
            },
        )
        realtime.publish_on_commit(
            _participants(conversation),
            {
                "type": "chat.read",
                "conversation_id": str(conversation.id),
                "user_id": actor.id,
                "seq": seq,
            },
        )
    return participant, True


# -- attachments ------------------------------------------------------------------------
def attachment_upload(*, actor, conversation_id, fileobj, name: str) -> Attachment:
    """Check an uploaded file by its bytes and keep it for the conversation; it is
    sent by a message that names it."""
    _writer(actor)
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None or actor.id not in _participants(conversation):
        raise ConversationNotFound()
    checked = attachments.check(fileobj)
    attachment_id = uuid.uuid4()
    stored = attachments.storage_name(conversation.id, attachment_id, checked.content_type)
    attachments.store(fileobj, stored)
    try:
        return Attachment.objects.create(
            id=attachment_id,
            conversation=conversation,
            uploader_id=actor.id,
            kind=checked.kind,
            content_type=checked.content_type,
            size=checked.size,
            name=policies.clean_filename(name or ""),
            sha256=checked.sha256,
            storage_name=stored,
            width=checked.width,
            height=checked.height,
        )
    except Exception:
        attachments.remove(stored)
        raise


# -- blocks and reports -----------------------------------------------------------------
def user_block(*, actor, user_id: str) -> Block:
    """Block a user (idempotent): neither can send to the other until unblocked."""
    _writer(actor)
    if str(user_id) == actor.id:
        raise ApiError("You cannot block yourself.", code="invalid", details={"user_id": ["Self."]})
    block, _ = Block.objects.get_or_create(blocker_id=actor.id, blocked_id=str(user_id))
    return block


def user_unblock(*, actor, user_id: str) -> None:
    _writer(actor)
    Block.objects.filter(blocker_id=actor.id, blocked_id=str(user_id)).delete()


def report_create(
    *, actor, conversation_id, reason: str, note: str = "", message_id=None
) -> Report:
    """A participant reports the other (optionally one message) to the moderators."""
    _writer(actor)
    with transaction.atomic():
        conversation = _locked(conversation_id, actor)
        message = None
        if message_id is not None:
            message = Message.objects.filter(pk=message_id, conversation=conversation).first()
            if message is None:
                raise MessageNotFound()
        report = Report.objects.create(
            conversation=conversation,
            reporter_id=actor.id,
            reported_id=conversation.other(actor.id),
            message=message,
            reason=reason,
            note=note,
        )
        _report_event(report)
    return report


def _report_event(report: Report) -> None:
    publish_event(
        topic=settings.CHAT_EVENTS_TOPIC,
        event_type=EVENT_TYPES[report.status],
        aggregate_type="report",
        aggregate_id=report.id,
        payload=report_representation(report),
    )


def report_close(*, report_id, actor, resolution: str, dismiss: bool = False) -> Report:
    """A moderator closes a report (resolved: action taken; dismissed: none needed)."""
    target = ReportStatus.DISMISSED if dismiss else ReportStatus.RESOLVED
    with transaction.atomic():
        report = report_get(report_id=report_id)
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not can_transition(report.status, target):
            raise IllegalTransition(
                f"A {report.status} report cannot become {target}.",
                details={"status": report.status, "target": target},
            )
        report.status = target
        report.resolved_at = timezone.now()
        report.resolved_by = actor.id
        report.resolution = resolution
        report.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        _report_event(report)
    return report


# -- what other services' events change -------------------------------------------------
def property_apply(*, property_id, owner_id: str, title: str, status: str, version: int) -> None:
    """A property snapshot (`property-events`); older versions are ignored."""
    updated = Property.objects.filter(pk=property_id, version__lt=version).update(
        owner_id=owner_id, title=title, status=status, version=version
    )
    if not updated and not Property.objects.filter(pk=property_id).exists():
        Property.objects.create(
            id=property_id, owner_id=owner_id, title=title, status=status, version=version
        )


def relation_apply(
    *, kind: str, ref_id, tenant_id: str, landlord_id: str, property_id, status: str, version: int
) -> None:
    """A booking or visit between a tenant and a landlord; older versions are ignored."""
    fields = {
        "tenant_id": tenant_id,
        "landlord_id": landlord_id,
        "property_id": property_id,
        "status": status,
        "version": version,
    }
    updated = Relation.objects.filter(kind=kind, ref_id=ref_id, version__lt=version).update(
        **fields
    )
    if not updated and not Relation.objects.filter(kind=kind, ref_id=ref_id).exists():
        Relation.objects.create(kind=kind, ref_id=ref_id, **fields)


def session_revoke(*, user_id: str, session_id: str, reason: str) -> None:
    """auth_service ended a session: remember it (a socket it opens later is refused)
    and close its sockets on every process once this commits."""
    session_ended(
        RevokedSession, user_id=user_id, session_id=session_id, reason=reason,
        retention_seconds=settings.CHAT_REVOKED_SESSION_RETENTION_SECONDS,
    )  # fmt: skip
    realtime.publish_on_commit(
        [user_id], {"type": "chat.revoke", "session_id": session_id, "reason": reason}
    )


def account_apply(*, user_id: str, is_active: bool, version: int) -> None:
    """A user's active state (`user.deactivated` / `user.activated`); a deactivated
    user's sockets are closed on every process."""
    updated = Account.objects.filter(pk=user_id, version__lt=version).update(
        is_active=is_active, version=version
    )
    if not updated and not Account.objects.filter(pk=user_id).exists():
        Account.objects.create(user_id=user_id, is_active=is_active, version=version)
        updated = 1
    if updated and not is_active:
        realtime.publish_on_commit(
            [user_id], {"type": "chat.revoke", "session_id": None, "reason": "deactivated"}
        )
