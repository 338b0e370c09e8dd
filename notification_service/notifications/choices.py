"""Enumerations shared by the models, the serializers and the message catalogue."""

from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    """What a message is about: the unit of a person's preferences."""

    SECURITY = "security"  # password reset, email confirmation and change, new login
    ACCOUNT = "account"  # welcome
    BOOKINGS = "bookings"
    RENT = "rent"
    VISITS = "visits"
    CHAT = "chat"


# Security messages cannot be turned off (docs/services/notifications.md).
LOCKED_CATEGORIES = frozenset({Category.SECURITY})


class Channel(models.TextChoices):
    IN_APP = "in_app"  # the inbox and the live push to every open tab
    EMAIL = "email"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued"  # waiting for its (next) attempt
    SENT = "sent"  # the channel took it (the SMTP server accepted the mail)
    FAILED = "failed"  # gave up after NOTIFICATION_EMAIL_MAX_ATTEMPTS, or nothing to send to
    BOUNCED = "bounced"  # the SMTP server refused the recipient for good (5xx)
    SUPPRESSED = "suppressed"  # not sent on purpose: preference off, or no longer true
