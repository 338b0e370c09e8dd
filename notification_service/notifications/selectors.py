"""Reads, and who may read what: a person sees their own notifications and nobody
else's (a foreign id is the same 404 as an unknown one)."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from django.db.models import Q, QuerySet

from rentezy_common.ended_sessions import session_is_ended

from .choices import Channel
from .errors import InvalidCursor, NotificationNotFound
from .models import Inbox, Notification, Preference, Recipient, RevokedSession


def notification_get_visible(*, notification_id, actor) -> Notification:
    notification = Notification.objects.filter(
        pk=notification_id, recipient_id=actor.id, in_inbox=True
    ).first()
    if notification is None:
        raise NotificationNotFound()
    return notification


def encode_cursor(notification: Notification) -> str:
    raw = f"{notification.created_at.isoformat()}|{notification.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, ident = raw.split("|", 1)
        return datetime.fromisoformat(created), uuid.UUID(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor(details={"cursor": ["Not a cursor this API gave."]}) from None


def notification_list_visible(
    *, actor, cursor: str | None = None, limit: int = 20, unread: bool | None = None,
    category: str | None = None,
) -> tuple[list[Notification], str | None]:  # fmt: skip
    """A page of the actor's inbox, newest first (archived ones left out), and the
    cursor of the next page (None at the end). Keyset pagination on (created_at, id):
    new notifications arriving meanwhile never shift a page."""
    rows: QuerySet[Notification] = Notification.objects.filter(
        recipient_id=actor.id, in_inbox=True, archived_at__isnull=True
    )
    if unread is not None:
        rows = rows.filter(read_at__isnull=unread)
    if category:
        rows = rows.filter(category=category)
    if cursor:
        created, ident = decode_cursor(cursor)
        rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=ident))
    page = list(rows.order_by("-created_at", "-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (encode_cursor(page[-1]) if more and page else None)


def unread_count(*, user_id: str) -> int:
    return Inbox.objects.filter(pk=user_id).values_list("unread", flat=True).first() or 0


def preferences_get(*, user_id: str) -> dict[tuple[str, str], bool]:
    """{(category, channel): enabled} of the rows a user saved (missing means on)."""
    return {
        (category, channel): enabled
        for category, channel, enabled in Preference.objects.filter(user_id=user_id).values_list(
            "category", "channel", "enabled"
        )
    }


def preference_allows(choices: dict[tuple[str, str], bool], category: str, channel: str) -> bool:
    return choices.get((category, channel), True)


CHANNELS = tuple(Channel.values)


def socket_admissible(*, user_id: str, session_id: str | None) -> bool:
    """False for a session auth_service ended or a deactivated user: the gateway may
    still hold its access token as valid in its introspection cache for a few seconds."""
    if session_is_ended(RevokedSession, session_id):
        return False
    return not Recipient.objects.filter(pk=user_id, is_active=False).exists()
