"""Django admin for operators: /admin/, reached on the internal network or by
`kubectl port-forward`, never through the gateway (docs/services/chat.md).

Read-only like every service's admin: reports are the queue moderators work from (open
first), with actions calling `chat.services.report_close`; a reported conversation's
messages are shown read-only beside it. Dead letters of the `directory` and `sessions`
consumers are replayed from /admin/dead-letters/ (rentezy_common.operators).
"""

from __future__ import annotations

from django.contrib import admin

from rentezy_common.operators import (
    OperatorModelAdmin,
    ReadOnlyInline,
    for_each,
    operator_caller,
)

from . import services
from .models import Block, Conversation, Message, Property, Report


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("seq", "sender_id", "body", "attachment", "created_at", "edited_at", "deleted_at")
    ordering = ("-seq",)
    max_num = 200


@admin.register(Conversation)
class ConversationAdmin(OperatorModelAdmin):
    list_display = ("id", "tenant_id", "landlord_id", "property", "last_seq", "last_activity_at")
    search_fields = ("=id", "=tenant_id", "=landlord_id", "=property__id", "=booking_id")
    ordering = ("-last_activity_at",)
    list_select_related = ("property",)
    inlines = (MessageInline,)


@admin.register(Report)
class ReportAdmin(OperatorModelAdmin):
    list_display = ("created_at", "status", "reason", "reporter_id", "reported_id", "conversation")
    list_filter = ("status", "reason")
    search_fields = ("=id", "=reporter_id", "=reported_id", "=conversation__id")
    ordering = ("status", "-created_at")
    actions = ("resolve", "dismiss")

    def _close(self, request, queryset, *, dismiss: bool, done: str) -> None:
        actor = operator_caller(request)
        for_each(
            self,
            request,
            queryset,
            done=done,
            call=lambda pk: services.report_close(
                report_id=pk,
                actor=actor,
                resolution=f"Closed in the admin by {request.user.get_username()}.",
                dismiss=dismiss,
            ),
        )

    @admin.action(
        description="Resolve the selected reports (action taken)", permissions=("operate",)
    )
    def resolve(self, request, queryset) -> None:
        self._close(request, queryset, dismiss=False, done="resolved")

    @admin.action(
        description="Dismiss the selected reports (nothing to do)", permissions=("operate",)
    )
    def dismiss(self, request, queryset) -> None:
        self._close(request, queryset, dismiss=True, done="dismissed")


@admin.register(Block)
class BlockAdmin(OperatorModelAdmin):
    list_display = ("blocker_id", "blocked_id", "created_at")
    search_fields = ("=blocker_id", "=blocked_id")
    ordering = ("-created_at",)


@admin.register(Property)
class PropertyAdmin(OperatorModelAdmin):
    list_display = ("id", "title", "owner_id", "status", "version", "updated_at")
    list_filter = ("status",)
    search_fields = ("=id", "=owner_id", "title")
    ordering = ("-updated_at",)
