"""Django admin for operators: /admin/, off the gateway (docs/services/notifications.md).
Read-only lists of notifications and deliveries (to answer "did the email go out?");
one action, resending a failed or bounced email, which queues a fresh attempt through
the same service as every other send. Dead letters at /admin/dead-letters/."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from rentezy_common.operators import OperatorModelAdmin
from rentezy_common.tasks import enqueue

from .choices import Channel, DeliveryStatus
from .models import Delivery, Notification, Recipient
from .services import TASK_SEND_EMAIL


@admin.register(Notification)
class NotificationAdmin(OperatorModelAdmin):
    list_display = ("id", "kind", "recipient_id", "category", "created_at", "read_at")
    list_filter = ("category", "critical", "in_inbox")
    search_fields = ("=id", "=event_id", "=recipient_id", "kind")
    ordering = ("-created_at",)
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(OperatorModelAdmin):
    list_display = ("id", "channel", "status", "attempts", "reason", "address", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("=id", "=notification__id", "=notification__recipient_id", "address")
    ordering = ("-created_at",)
    actions = ("retry",)

    @admin.action(description="Send the selected failed emails again", permissions=("operate",))
    def retry(self, request, queryset) -> None:
        rows = queryset.filter(
            channel=Channel.EMAIL, status__in=[DeliveryStatus.FAILED, DeliveryStatus.BOUNCED]
        )
        ids = list(rows.values_list("id", flat=True))
        now = timezone.now()
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.QUEUED, attempts=0, due_at=now, queued_at=now
        )
        for delivery_id in ids:
            enqueue(TASK_SEND_EMAIL, str(delivery_id))
        self.message_user(request, f"{len(ids)} email(s) queued again.")


@admin.register(Recipient)
class RecipientAdmin(OperatorModelAdmin):
    list_display = ("user_id", "email", "full_name", "role", "email_verified", "is_active")
    search_fields = ("=user_id", "email")
