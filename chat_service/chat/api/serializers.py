"""Request validation (bodies and query parameters)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from ..choices import ReportReason, ReportStatus


class ConversationStartSerializer(serializers.Serializer):
    property_id = serializers.UUIDField()
    tenant_id = serializers.CharField(
        max_length=64, required=False, help_text="Landlords name the tenant; tenants leave it out."
    )
    booking_id = serializers.UUIDField(
        required=False, help_text="Link the conversation to a booking."
    )


class MessageQuerySerializer(serializers.Serializer):
    before = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, help_text="Messages before this seq (older)."
    )
    after = serializers.IntegerField(
        min_value=0, max_value=2**62, required=False, help_text="Messages after this seq (newer)."
    )
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)

    def validate(self, attrs):
        if "before" in attrs and "after" in attrs:
            raise serializers.ValidationError("Give `before` or `after`, not both.")
        return attrs


class MessageSendSerializer(serializers.Serializer):
    client_id = serializers.CharField(
        max_length=64,
        help_text="The client's id for this message: a retry with it returns the first one.",
    )
    body = serializers.CharField(
        max_length=settings.CHAT_MESSAGE_MAX_CHARS,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Plain text (rendered as text, never as markup).",
    )
    attachment_id = serializers.UUIDField(
        required=False, help_text="From `POST /api/chat/attachments/`."
    )


class MessageEditSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=settings.CHAT_MESSAGE_MAX_CHARS, allow_blank=True, trim_whitespace=False
    )


class ReadSerializer(serializers.Serializer):
    seq = serializers.IntegerField(
        min_value=0, max_value=2**62, help_text="The last sequence number the user has seen."
    )


class BlockSerializer(serializers.Serializer):
    user_id = serializers.CharField(max_length=64)


class ReportCreateSerializer(serializers.Serializer):
    conversation_id = serializers.UUIDField()
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")
    message_id = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, help_text="The message reported, if one."
    )


class ReportFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)


class ReportCloseSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000)
    dismiss = serializers.BooleanField(default=False, help_text="Nothing to act on.")


class AttachmentUploadSerializer(serializers.Serializer):
    conversation_id = serializers.UUIDField()
    file = serializers.FileField(
        help_text="A JPEG, PNG, GIF or WebP image or a PDF, at most 10 MB (checked by content)."
    )
