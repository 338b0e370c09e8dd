"""Notification use cases: keep the directory, turn events into notifications, read and
clear the inbox, choose preferences, unsubscribe, send email, digest chat.

From an event (`notifications_from_event`, in the consumer's transaction, so the
event's id is recorded in the processed-event ledger together with its effects):
for each message of the catalogue, one `Notification` per (event id, recipient) — the
unique constraint makes a replay a no-op — and one `Delivery` per channel: in-app
(sent at once, or suppressed when the person turned the category off in the app) and
email (queued, or suppressed by preference). After commit the notification is pushed
to every open tab and the email task is queued by name.

Email (`delivery_send_email`, a Celery task per delivery): under the delivery's row lock
it re-checks what may have changed since (preferences, the user still active, the
message still true: `Subject`), sends over SMTP and records the outcome in the same
transaction. A second task for the same delivery skips it (SKIP LOCKED) or finds it
final, so an email goes out once. A server that is down or answers 4xx puts the
delivery back in the queue with a growing delay (policies.email_retry_delay); the
sweeper re-queues due deliveries whose task was lost (a flushed broker, a dead worker).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from rentezy_common.ended_sessions import session_ended
from rentezy_common.tasks import enqueue, enqueue_on_commit

from . import catalogue, mail, policies, realtime
from .choices import LOCKED_CATEGORIES, Category, Channel, DeliveryStatus
from .errors import InvalidPreferences, InvalidToken, LockedPreference
from .models import (
    ChatUnread,
    Delivery,
    Inbox,
    Notification,
    Preference,
    Property,
    Recipient,
    RevokedSession,
    Subject,
)
from .representation import notification_representation, preferences_representation
from .selectors import notification_get_visible, preference_allows, preferences_get, unread_count
from .states import can_transition
from .tokens import unsubscribe_token_read

logger = logging.getLogger(__name__)
D = DeliveryStatus

# Celery tasks, by their registered names (notifications/tasks.py).
TASK_SEND_EMAIL = "notifications.send_email"
DIGEST_NAMESPACE = uuid.UUID("3b0f5f8e-6c8e-4d0c-9b7e-2f1d1c6a9e17")


# -- the directory ------------------------------------------------------------------------
def recipient_apply(*, user: dict, version: int) -> None:
    """A user as `user-events` describes them (every user event carries the whole
    user); an older or repeated version changes nothing."""
    fields = {
        "email": str(user.get("email") or "")[:254],
        "full_name": str(user.get("full_name") or "")[:150],
        "role": str(user.get("role") or "")[:16],
        "locale": str(user.get("locale") or "en")[:35],
        "time_zone": str(user.get("time_zone") or "UTC")[:64],
        "is_active": bool(user.get("is_active", True)),
        "email_verified": bool(user.get("email_verified", False)),
        "version": version,
    }
    user_id = str(user["id"])
    updated = Recipient.objects.filter(pk=user_id, version__lt=version).update(**fields)
    if not updated and not Recipient.objects.filter(pk=user_id).exists():
        Recipient.objects.create(user_id=user_id, **fields)


def property_apply(*, property_id, owner_id: str, title: str, time_zone: str, version: int) -> None:
    """A property's owner and title (`property-events`), newest version wins."""
    fields = {"owner_id": owner_id, "title": title, "time_zone": time_zone, "version": version}
    updated = Property.objects.filter(pk=property_id, version__lt=version).update(**fields)
    if not updated and not Property.objects.filter(pk=property_id).exists():
        Property.objects.create(id=property_id, **fields)


def subject_apply(*, kind: str, ref_id: str, status: str, version: int, data: dict | None = None):
    """The newest status of a booking, visit, lease or invoice (older versions ignored)."""
    fields = {"status": status[:32], "version": version}
    if data is not None:
        fields["data"] = data
    updated = Subject.objects.filter(kind=kind, ref_id=ref_id, version__lt=version).update(**fields)
    if not updated and not Subject.objects.filter(kind=kind, ref_id=ref_id).exists():
        Subject.objects.create(kind=kind, ref_id=ref_id, **fields)


# -- events -> notifications ---------------------------------------------------------------
def _context(messages_hint: dict) -> catalogue.Context:
    """What the catalogue needs to know about the people and places of one event."""
    payload = messages_hint
    user_ids = {
        str(payload[k])
        for k in ("tenant_id", "owner_id", "landlord_id", "sender_id", "recipient_id",
                  "user_id", "id")
        if payload.get(k)
    }  # fmt: skip
    lease_parties = {}
    lease_id = payload.get("lease_id")
    if lease_id:
        subject = Subject.objects.filter(kind="lease", ref_id=str(lease_id)).first()
        if subject is not None:
            lease_parties[str(lease_id)] = subject.data
            user_ids |= {str(v) for k, v in subject.data.items() if k.endswith("_id") and v}
    people = Recipient.objects.filter(pk__in=user_ids).values_list(
        "user_id", "full_name", "time_zone"
    )
    names = {u: n for u, n, _ in people}
    zones = {u: z for u, _, z in people}
    titles = {}
    property_id = payload.get("property_id") or (lease_parties.get(str(lease_id)) or {}).get(
        "property_id"
    )
    if property_id:
        try:
            found = Property.objects.filter(pk=property_id).values_list("title", flat=True).first()
        except Exception:  # a malformed id: no title
            found = None
        if found:
            titles[str(property_id)] = found
    return catalogue.Context(
        names=names, time_zones=zones, property_titles=titles, lease_parties=lease_parties
    )


def notifications_from_event(*, envelope) -> list[Notification]:
    """Every notification one event produces (in the caller's transaction)."""
    if not isinstance(envelope.payload, dict) or envelope.type not in catalogue.BUILDERS:
        return []
    messages = catalogue.messages_for(envelope, _context(envelope.payload))
    created = []
    for message in messages:
        notification = notification_create(event_id=envelope.id, message=message)
        if notification is not None:
            created.append(notification)
    return created


def notification_create(*, event_id, message: catalogue.Message) -> Notification | None:
    """One message to one person, once per event: None if this event already gave this
    recipient theirs. Deliveries per the recipient's preferences; push and email after
    commit."""
    choices = preferences_get(user_id=message.recipient_id)
    critical = message.critical or message.category in LOCKED_CATEGORIES
    in_app = message.in_app and (
        critical or preference_allows(choices, message.category, Channel.IN_APP)
    )
    notification = Notification(
        event_id=event_id,
        recipient_id=message.recipient_id,
        kind=message.kind,
        category=message.category,
        critical=critical,
        title=message.title[:200],
        body=message.body,
        link=message.link[:500],
        data={**message.data, **({"action": message.action} if message.action else {})},
        secret=message.secret,
        subject_kind=message.subject_kind,
        subject_ref=message.subject_ref,
        valid_while=message.valid_while,
        valid_data=message.valid_data,
        address=message.address,
        in_inbox=in_app,
    )
    inserted = Notification.objects.bulk_create([notification], ignore_conflicts=True)
    if not Notification.objects.filter(pk=inserted[0].pk).exists():
        return None  # the (event, recipient) pair had its notification already
    now = timezone.now()
    deliveries = []
    if message.in_app:
        deliveries.append(
            Delivery(
                notification=notification,
                channel=Channel.IN_APP,
                status=D.SENT if in_app else D.SUPPRESSED,
                reason="" if in_app else "preference",
                sent_at=now if in_app else None,
            )
        )
    email_delivery = None
    if message.email:
        wanted = critical or preference_allows(choices, message.category, Channel.EMAIL)
        email_delivery = Delivery(
            notification=notification,
            channel=Channel.EMAIL,
            status=D.QUEUED if wanted else D.SUPPRESSED,
            reason="" if wanted else "preference",
            due_at=now if wanted else None,
            queued_at=now if wanted else None,
        )
        deliveries.append(email_delivery)
    Delivery.objects.bulk_create(deliveries)
    if in_app:
        unread = _inbox_add(message.recipient_id, 1)
        realtime.publish_on_commit(
            message.recipient_id,
            {
                "type": "notify.new",
                "notification": notification_representation(notification),
                "unread": unread,
            },
        )
    if email_delivery is not None and email_delivery.status == D.QUEUED:
        enqueue_on_commit(TASK_SEND_EMAIL, str(email_delivery.id))
    return notification


def _inbox_add(user_id: str, delta: int) -> int:
    """Move a user's unread count by `delta` (one statement: no read-modify-write); the
    new count."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Inbox._meta.db_table} (user_id, unread) VALUES (%s, GREATEST(%s, 0))
            ON CONFLICT (user_id) DO UPDATE
            SET unread = GREATEST({Inbox._meta.db_table}.unread + %s, 0)
            RETURNING unread
            """,
            [user_id, delta, delta],
        )
        return cursor.fetchone()[0]


# -- the inbox -----------------------------------------------------------------------------
def _announce_unread(user_id: str, unread: int) -> None:
    realtime.publish_on_commit(user_id, {"type": "notify.unread", "unread": unread})


@transaction.atomic
def notification_mark_read(*, actor, notification_id) -> Notification:
    notification = notification_get_visible(notification_id=notification_id, actor=actor)
    now = timezone.now()
    changed = Notification.objects.filter(
        pk=notification.pk, read_at__isnull=True, archived_at__isnull=True
    ).update(read_at=now)
    if changed:
        _announce_unread(actor.id, _inbox_add(actor.id, -changed))
        _chat_read_from_inbox(actor.id, [notification])
    notification.refresh_from_db()
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor) -> int:
    """Every unread notification of the actor read; how many were."""
    rows = Notification.objects.filter(
        recipient_id=actor.id, in_inbox=True, archived_at__isnull=True, read_at__isnull=True
    )
    changed = rows.update(read_at=timezone.now())
    if changed:
        _announce_unread(actor.id, _inbox_add(actor.id, -changed))
    ChatUnread.objects.filter(recipient_id=actor.id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return changed


@transaction.atomic
def notification_archive(*, actor, notification_id) -> Notification:
    notification = notification_get_visible(notification_id=notification_id, actor=actor)
    now = timezone.now()
    was_unread = Notification.objects.filter(
        pk=notification.pk, archived_at__isnull=True, read_at__isnull=True
    ).update(archived_at=now, read_at=now)
    Notification.objects.filter(pk=notification.pk, archived_at__isnull=True).update(
        archived_at=now
    )
    if was_unread:
        _announce_unread(actor.id, _inbox_add(actor.id, -was_unread))
        _chat_read_from_inbox(actor.id, [notification])
    notification.refresh_from_db()
    return notification


# -- preferences -----------------------------------------------------------------------
def preferences_update(*, actor, changes) -> dict:
    """Apply {category: {channel: bool}} (the categories and channels not named keep
    their choice); 400 for anything malformed, 400 `locked_preference` for turning a
    security channel off. All or nothing."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidPreferences(details={"preferences": ["An object of categories."]})
    errors: dict[str, list[str]] = {}
    rows = []
    locked = False
    for category, channels in changes.items():
        if category not in Category.values:
            errors[str(category)[:40]] = [f"Unknown category; one of {', '.join(Category.values)}."]
            continue
        if not isinstance(channels, dict) or not channels:
            errors[category] = ["An object of channels to true or false."]
            continue
        for channel, enabled in channels.items():
            if channel not in Channel.values:
                errors[f"{category}.{str(channel)[:40]}"] = [
                    f"Unknown channel; one of {', '.join(Channel.values)}."
                ]
            elif not isinstance(enabled, bool):
                errors[f"{category}.{channel}"] = ["true or false."]
            elif category in LOCKED_CATEGORIES and not enabled:
                locked = True
                errors[f"{category}.{channel}"] = ["Security messages cannot be turned off."]
            else:
                rows.append((category, channel, enabled))
    if errors:
        raise (LockedPreference if locked else InvalidPreferences)(details=errors)
    with transaction.atomic():
        for category, channel, enabled in rows:
            Preference.objects.update_or_create(
                user_id=actor.id, category=category, channel=channel,
                defaults={"enabled": enabled},
            )  # fmt: skip
    return preferences_representation(preferences_get(user_id=actor.id))


def unsubscribe(*, token: str) -> dict:
    """RFC 8058 one-click: the signed token's category off on its channel, no login. A
    forged or expired token is 400 and changes nothing."""
    data = unsubscribe_token_read(token)
    if data["c"] not in Category.values or data["ch"] not in Channel.values:
        raise InvalidToken()
    if data["c"] in LOCKED_CATEGORIES:
        raise InvalidToken()
    Preference.objects.update_or_create(
        user_id=data["u"], category=data["c"], channel=data["ch"], defaults={"enabled": False}
    )
    logger.info("unsubscribed", extra={"user_id": data["u"], "category": data["c"]})
    return {"category": data["c"], "channel": data["ch"], "enabled": False}


# -- email ------------------------------------------------------------------------------
def _suppression(notification: Notification, recipient: Recipient | None) -> str:
    """Why an email queued earlier must not go out now ("" if it must)."""
    if recipient is not None and not recipient.is_active and not notification.critical:
        return "inactive"
    if not notification.critical:
        choices = preferences_get(user_id=notification.recipient_id)
        if not preference_allows(choices, notification.category, Channel.EMAIL):
            return "preference"
    if notification.subject_kind and notification.valid_while:
        subject = Subject.objects.filter(
            kind=notification.subject_kind, ref_id=notification.subject_ref
        ).first()
        if subject is not None:
            if subject.status not in notification.valid_while:
                return "no_longer_true"
            for key, value in (notification.valid_data or {}).items():
                if subject.data.get(key) not in (None, value):
                    return "no_longer_true"
    if notification.kind == "chat.digest":
        ids = notification.data.get("message_ids") or []
        if (
            ids
            and not ChatUnread.objects.filter(
                recipient_id=notification.recipient_id, message_id__in=ids, read_at__isnull=True
            ).exists()
        ):
            return "read"
    return ""


def _email_of(delivery: Delivery, notification: Notification, recipient, address: str):
    name = recipient.full_name if recipient else ""
    if notification.kind == "chat.digest":
        template = "digest"
        context = {**notification.data, "link": mail.absolute(notification.link)}
    else:
        template = "message"
        link = mail.absolute(notification.link) if notification.link else ""
        if notification.secret:
            # In the fragment: browsers never send it, so it is in no server's log; the
            # web app's page reads it and POSTs it.
            link = f"{link}#token={notification.secret}"
        context = {
            "title": notification.title,
            "body": notification.body,
            "link": link,
            "action": notification.data.get("action", ""),
        }
    return mail.build_email(
        delivery_id=delivery.id,
        to=address,
        name=name,
        subject=notification.title,
        template=template,
        context=context,
        user_id=notification.recipient_id,
        category=notification.category,
        critical=notification.critical,
    )


def _finish(delivery: Delivery, status: str, **fields) -> None:
    if not can_transition(delivery.status, status):  # pragma: no cover - a bug
        raise RuntimeError(f"delivery {delivery.id}: {delivery.status} -> {status}")
    delivery.status = status
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.save()


def _retry_later(delivery: Delivery, error: str) -> str:
    """A failed attempt that retrying may fix: due again after the backoff, or FAILED
    once the attempts are spent."""
    if delivery.attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS:
        _finish(delivery, D.FAILED, last_error=error[:500], reason="attempts_exhausted")
        logger.warning("email gave up", extra={"delivery_id": str(delivery.id), "error": error})
        return "failed"
    delay = policies.email_retry_delay(
        attempts=delivery.attempts,
        first=settings.NOTIFICATION_EMAIL_RETRY_SECONDS,
        cap=settings.NOTIFICATION_EMAIL_RETRY_MAX_SECONDS,
    )
    now = timezone.now()
    _finish(delivery, D.QUEUED, last_error=error[:500], due_at=now + delay, queued_at=now)
    enqueue_on_commit(TASK_SEND_EMAIL, str(delivery.id), eta=now + delay)
    return "retry"


def delivery_send_email(*, delivery_id) -> str:
    """One attempt at one email delivery; the outcome ("sent", "retry", "suppressed",
    "bounced", "failed", or why nothing was done)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification")
            .filter(pk=delivery_id, channel=Channel.EMAIL)
            .first()
        )
        if delivery is None:
            return "locked_or_missing"  # another attempt holds it, or no such delivery
        if delivery.status != D.QUEUED:
            return f"already_{delivery.status}"
        now = timezone.now()
        if delivery.due_at and delivery.due_at > now + timedelta(seconds=1):
            return "not_due"
        notification = delivery.notification
        recipient = Recipient.objects.filter(pk=notification.recipient_id).first()
        reason = _suppression(notification, recipient)
        if reason:
            _finish(delivery, D.SUPPRESSED, reason=reason)
            return "suppressed"
        address = notification.address or (recipient.email if recipient else "")
        delivery.attempts += 1
        if not address:
            # The directory may not know the user yet (user-events behind): retry.
            return _retry_later(delivery, "no address for the recipient yet")
        email = _email_of(delivery, notification, recipient, address)
        try:
            mail.SENDER.send(email)
        except mail.PermanentMailError as exc:
            _finish(delivery, D.BOUNCED, last_error=str(exc)[:500], address=address)
            return "bounced"
        except mail.TransientMailError as exc:
            return _retry_later(delivery, str(exc))
        _finish(
            delivery,
            D.SENT,
            sent_at=timezone.now(),
            address=address,
            message_id=email["Message-ID"],
            last_error="",
        )
        return "sent"


def deliveries_sweep(*, limit: int = 1000) -> int:
    """Queue the email deliveries that are due and whose task was lost (never queued,
    or queued more than NOTIFICATION_EMAIL_REQUEUE_SECONDS ago); each once per sweep."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_EMAIL_REQUEUE_SECONDS)
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(channel=Channel.EMAIL, status=D.QUEUED, due_at__lte=now)
            .exclude(queued_at__gt=stale)
            .order_by("due_at")
            .values_list("id", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(queued_at=now)
    for delivery_id in ids:
        enqueue(TASK_SEND_EMAIL, str(delivery_id))
    return len(ids)


# -- chat ---------------------------------------------------------------------------------
def chat_unread_record(*, recipient_id: str, conversation_id, message_id: str, seq: int,
                       sender_id: str, preview: str, sent_at) -> None:  # fmt: skip
    """A chat message waiting for its recipient to read it (the digest's material)."""
    ChatUnread.objects.bulk_create(
        [
            ChatUnread(
                recipient_id=recipient_id,
                conversation_id=conversation_id,
                message_id=message_id,
                seq=seq,
                sender_id=sender_id,
                preview=preview[:300],
                sent_at=sent_at,
            )
        ],
        ignore_conflicts=True,
    )


def chat_read_apply(*, user_id: str, conversation_id, last_read_seq: int) -> int:
    """The user read a conversation up to `last_read_seq` (chat's read marker)."""
    return ChatUnread.objects.filter(
        recipient_id=user_id,
        conversation_id=conversation_id,
        seq__lte=last_read_seq,
        read_at__isnull=True,
    ).update(read_at=timezone.now())


def _chat_read_from_inbox(user_id: str, notifications) -> None:
    """A chat notification read in the inbox: its message is read for the digest too."""
    ids = [
        n.data.get("message_id")
        for n in notifications
        if n.kind == "chat.message" and n.data.get("message_id")
    ]
    if ids:
        ChatUnread.objects.filter(recipient_id=user_id, message_id__in=ids).update(
            read_at=timezone.now()
        )


def chat_digest_run(*, limit: int = 500) -> int:
    """One digest email for each recipient with chat messages unread for longer than
    NOTIFICATION_CHAT_DIGEST_MINUTES; how many digests were made."""
    cutoff = timezone.now() - timedelta(minutes=settings.NOTIFICATION_CHAT_DIGEST_MINUTES)
    recipients = list(
        ChatUnread.objects.filter(
            read_at__isnull=True, digested_at__isnull=True, sent_at__lte=cutoff
        )
        .values_list("recipient_id", flat=True)
        .distinct()[:limit]
    )
    return sum(1 for r in recipients if chat_digest_for(recipient_id=r) is not None)


@transaction.atomic
def chat_digest_for(*, recipient_id: str) -> Notification | None:
    """Everything the recipient has not read yet, in one email (the window closes now:
    the messages are marked digested in the same transaction, so a digest run twice or
    on two workers makes one email)."""
    rows = list(
        ChatUnread.objects.select_for_update(skip_locked=True)
        .filter(recipient_id=recipient_id, read_at__isnull=True, digested_at__isnull=True)
        .order_by("sent_at", "id")
    )
    if not rows:
        return None
    senders = dict(
        Recipient.objects.filter(pk__in={r.sender_id for r in rows}).values_list(
            "user_id", "full_name"
        )
    )
    shown = rows[: settings.NOTIFICATION_CHAT_DIGEST_ITEMS]
    conversations = {str(r.conversation_id) for r in rows}
    link = f"/messages/{next(iter(conversations))}" if len(conversations) == 1 else "/messages"
    message = catalogue.Message(
        recipient_id=recipient_id,
        kind="chat.digest",
        category=Category.CHAT,
        title=f"You have {len(rows)} unread message{'s' if len(rows) != 1 else ''} on RentEzy",
        link=link,
        in_app=False,
        data={
            "count": len(rows),
            "more": len(rows) - len(shown),
            "items": [
                {"sender": senders.get(r.sender_id) or "Someone", "preview": r.preview}
                for r in shown
            ],
            "message_ids": [r.message_id for r in rows],
        },
    )
    ChatUnread.objects.filter(pk__in=[r.pk for r in rows]).update(digested_at=timezone.now())
    event_id = uuid.uuid5(DIGEST_NAMESPACE, f"{recipient_id}:{rows[0].message_id}")
    return notification_create(event_id=event_id, message=message)


# -- sessions -----------------------------------------------------------------------------
def session_revoke(*, user_id: str, session_id: str | None, reason: str) -> None:
    """auth_service ended a session (or, with no session id, every session of a
    deactivated user): close its sockets on every web process once this commits, and
    remember the session so that a socket it opens later is refused (the gateway may
    still accept its access token from its introspection cache for a few seconds)."""
    if session_id:
        session_ended(
            RevokedSession, user_id=user_id, session_id=session_id, reason=reason,
            retention_seconds=settings.NOTIFICATION_REVOKED_SESSION_RETENTION_SECONDS,
        )  # fmt: skip
    realtime.publish_on_commit(
        user_id, {"type": "notify.revoke", "session_id": session_id, "reason": reason}
    )


def unread_for(*, user_id: str) -> int:
    return unread_count(user_id=user_id)
