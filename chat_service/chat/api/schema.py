"""The API's answers, for the OpenAPI document only (docs/architecture/api.md): these
serializers describe `chat.representation`'s dicts field for field and never build a
response."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from ..choices import AttachmentKind, ParticipantRole, ReportReason, ReportStatus


class AttachmentSchema(serializers.Serializer):
    """`attachment_representation`."""

    id = serializers.UUIDField()
    conversation_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    name = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(help_text="Participants only: `GET` it with the bearer token.")
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ChatAttachment"


class MessageSchema(serializers.Serializer):
    """`message_representation`: a deleted message is its tombstone."""

    id = serializers.CharField()
    conversation_id = serializers.UUIDField()
    seq = serializers.IntegerField(help_text="Its place in the conversation.")
    change_seq = serializers.IntegerField(
        help_text="The conversation's sequence number of its latest change (= seq until "
        "edited or deleted)."
    )
    sender_id = serializers.CharField()
    client_id = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    attachment = AttachmentSchema(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()

    class Meta:
        ref_name = "ChatMessage"


class ParticipantSchema(serializers.Serializer):
    user_id = serializers.CharField()
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    last_read_seq = serializers.IntegerField()

    class Meta:
        ref_name = "ChatParticipant"


class ConversationSchema(serializers.Serializer):
    """`conversation_representation`, as the caller sees it."""

    id = serializers.UUIDField()
    tenant_id = serializers.CharField()
    landlord_id = serializers.CharField()
    property_id = serializers.UUIDField()
    property_title = serializers.CharField(allow_blank=True)
    booking_id = serializers.UUIDField(allow_null=True)
    started_by = serializers.CharField()
    last_seq = serializers.IntegerField()
    last_message = MessageSchema(allow_null=True)
    last_activity_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    participants = ParticipantSchema(many=True)
    unread_count = serializers.IntegerField(allow_null=True, help_text="null for an admin.")
    last_read_seq = serializers.IntegerField(allow_null=True, help_text="null for an admin.")

    class Meta:
        ref_name = "ChatConversation"


class MessagePageSchema(serializers.Serializer):
    results = MessageSchema(many=True, help_text="In seq order, oldest first.")
    has_more = serializers.BooleanField(help_text="More in the direction asked for.")
    last_seq = serializers.IntegerField(help_text="The conversation's sequence number now.")

    class Meta:
        ref_name = "ChatMessagePage"


class ReadMarkerSchema(serializers.Serializer):
    conversation_id = serializers.UUIDField()
    last_read_seq = serializers.IntegerField()
    unread_count = serializers.IntegerField()

    class Meta:
        ref_name = "ChatReadMarker"


class BlockSchema(serializers.Serializer):
    user_id = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ChatBlock"


class ReportSchema(serializers.Serializer):
    """`report_representation`: also the payload of `user.reported`."""

    id = serializers.UUIDField()
    conversation_id = serializers.UUIDField()
    reporter_id = serializers.CharField()
    reported_id = serializers.CharField()
    message_id = serializers.CharField(allow_null=True)
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    note = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(allow_null=True)
    resolution = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "ChatReport"


SEND_EXAMPLE = OpenApiExample(
    "text",
    request_only=True,
    value={"client_id": "9b0c7a0e-5d5f-4a53-8c1e-2f3e3b7e0a11", "body": "Is the flat still free?"},
)
