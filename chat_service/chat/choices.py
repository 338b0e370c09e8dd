"""Enumerations shared by the models, the serializers and the API document."""

from django.db import models


class ParticipantRole(models.TextChoices):
    TENANT = "tenant"
    LANDLORD = "landlord"


class ReportReason(models.TextChoices):
    SPAM = "spam"
    HARASSMENT = "harassment"
    SCAM = "scam"
    INAPPROPRIATE = "inappropriate"
    OTHER = "other"


class ReportStatus(models.TextChoices):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class AttachmentKind(models.TextChoices):
    IMAGE = "image"
    PDF = "pdf"


class RelationKind(models.TextChoices):
    """How the platform knows a tenant and a landlord: what lets a landlord write first."""

    BOOKING = "booking"
    VISIT = "visit"
