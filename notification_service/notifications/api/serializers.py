"""Input validation (query parameters) and the documented shapes of the answers."""

from __future__ import annotations

from rest_framework import serializers

from ..choices import Category


class InboxQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=200)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)
    category = serializers.ChoiceField(choices=Category.choices, required=False)


class NotificationSchema(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField(allow_null=True)
    data = serializers.DictField()
    read = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)
    archived = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class InboxSchema(serializers.Serializer):
    results = NotificationSchema(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    unread = serializers.IntegerField()


class UnreadSchema(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllSchema(serializers.Serializer):
    updated = serializers.IntegerField()
    unread = serializers.IntegerField()


class ChannelChoiceSchema(serializers.Serializer):
    locked = serializers.BooleanField()
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()


class PreferencesSchema(serializers.Serializer):
    preferences = serializers.DictField(child=ChannelChoiceSchema())


class PreferencesUpdateSchema(serializers.Serializer):
    preferences = serializers.DictField(
        child=serializers.DictField(child=serializers.BooleanField()),
        help_text="{category: {channel: true|false}}; categories not named keep their choice.",
    )


class UnsubscribedSchema(serializers.Serializer):
    category = serializers.CharField()
    channel = serializers.CharField()
    enabled = serializers.BooleanField()
