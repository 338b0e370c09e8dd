"""The JSON of a notification: what the inbox API returns and what the live push
carries (one function, so the two cannot drift). Never the `secret`."""

from __future__ import annotations

from .choices import LOCKED_CATEGORIES, Category, Channel
from .models import Notification


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def notification_representation(notification: Notification) -> dict:
    return {
        "id": str(notification.id),
        "kind": notification.kind,
        "category": notification.category,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link or None,
        "data": notification.data,
        "read": notification.read_at is not None,
        "read_at": _iso(notification.read_at),
        "archived": notification.archived_at is not None,
        "created_at": _iso(notification.created_at),
    }


def preferences_representation(choices: dict[tuple[str, str], bool]) -> dict:
    """{"preferences": {category: {"locked": bool, "in_app": bool, "email": bool}}}"""
    return {
        "preferences": {
            category.value: {
                "locked": category in LOCKED_CATEGORIES,
                **{
                    channel.value: choices.get((category.value, channel.value), True)
                    for channel in Channel
                },
            }
            for category in Category
        }
    }
