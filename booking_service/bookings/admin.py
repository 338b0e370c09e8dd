"""Django admin for operators: /admin/, reached on the internal network or by
`kubectl port-forward`, never through the gateway (docs/services/booking.md).

Staff users are this service's own (`manage.py createsuperuser`). Everything is
read-only; what operators need to do are actions calling `bookings.services`, so every
change takes the booking's lock, follows the state machine and publishes its event:
cancel a booking with a full refund (as a landlord's cancellation does), mark a payment
issue resolved. Dead letters of the `inventory` consumer are replayed from
/admin/dead-letters/ (rentezy_common.operators).
"""

from __future__ import annotations

from django.contrib import admin

from rentezy_common.operators import OperatorModelAdmin, for_each, operator_caller

from . import services
from .models import Booking, PaymentIssue, Room


@admin.register(Booking)
class BookingAdmin(OperatorModelAdmin):
    list_display = (
        "id", "status", "reason", "amount", "amount_paid", "amount_refunded",
        "refund_status", "currency", "move_in_date", "created_at",
    )  # fmt: skip
    list_filter = ("status", "refund_status", "currency")
    search_fields = ("=id", "=tenant_id", "=owner_id", "=property_id", "=room_id")
    ordering = ("-created_at",)
    actions = ("cancel_and_refund",)

    @admin.action(
        description="Cancel the selected bookings (full refund of what was paid)",
        permissions=("operate",),
    )
    def cancel_and_refund(self, request, queryset) -> None:
        actor = operator_caller(request)
        for_each(
            self,
            request,
            queryset,
            done="cancelled",
            call=lambda pk: services.booking_cancel(
                booking_id=pk, actor_id=actor.id, role=actor.role
            ),
        )


@admin.register(PaymentIssue)
class PaymentIssueAdmin(OperatorModelAdmin):
    list_display = ("created_at", "kind", "booking", "stripe_event_id", "resolved_at")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("=booking__id", "=stripe_event_id")
    ordering = ("-created_at",)
    actions = ("mark_resolved",)

    @admin.action(
        description="Mark the selected issues resolved (dealt with by a person)",
        permissions=("operate",),
    )
    def mark_resolved(self, request, queryset) -> None:
        actor = operator_caller(request)
        for_each(
            self,
            request,
            queryset,
            done="resolved",
            call=lambda pk: services.payment_issue_resolve(
                issue_id=pk,
                actor_id=actor.id,
                resolution=f"Marked resolved in the admin by {request.user.get_username()}.",
            ),
        )


@admin.register(Room)
class RoomAdmin(OperatorModelAdmin):
    list_display = (
        "id", "name", "property", "total_units", "available_units", "bookable",
        "refused_total_units", "updated_at",
    )  # fmt: skip
    list_filter = ("bookable", "currency")
    search_fields = ("=id", "name", "=property__id", "property__title")
    list_select_related = ("property",)
    ordering = ("-updated_at",)
