"""Django admin for operators: /admin/, reached on the internal network or by
`kubectl port-forward`, never through the gateway (docs/services/visits.md).

Staff users are this service's own (`manage.py createsuperuser`). Everything is
read-only; the change operators need is an action calling `visits.services`: cancel
visits with a reason, so each takes the visit's lock, follows the state machine, frees
its place and publishes `visit.cancelled`. Dead letters of the `properties` consumer are
replayed from /admin/dead-letters/ (rentezy_common.operators).
"""

from __future__ import annotations

from django.contrib import admin

from rentezy_common.operators import OperatorModelAdmin, ReadOnlyInline, for_each, operator_caller

from . import services
from .models import Availability, Capacity, DateException, Property, Visit, WeeklyRule

OPERATOR_REASON = "Cancelled by RentEzy support."


@admin.register(Visit)
class VisitAdmin(OperatorModelAdmin):
    list_display = (
        "id", "status", "start", "end", "capacity", "property", "tenant_id", "owner_id",
        "reason", "sequence", "updated_at",
    )  # fmt: skip
    list_filter = ("status", "capacity")
    search_fields = ("=id", "=tenant_id", "=owner_id", "=property__id", "property__title")
    list_select_related = ("property",)
    ordering = ("-start",)
    actions = ("cancel",)

    @admin.action(
        description="Cancel the selected visits (reason: cancelled by RentEzy support)",
        permissions=("operate",),
    )
    def cancel(self, request, queryset) -> None:
        actor = operator_caller(request)
        for_each(
            self,
            request,
            queryset,
            done="cancelled",
            call=lambda pk: services.visit_cancel(visit_id=pk, actor=actor, reason=OPERATOR_REASON),
        )


class WeeklyRuleInline(ReadOnlyInline):
    model = WeeklyRule
    fields = ("weekday", "start", "end", "capacity")


class DateExceptionInline(ReadOnlyInline):
    model = DateException
    fields = ("date", "closed", "start", "end", "capacity")


@admin.register(Property)
class PropertyAdmin(OperatorModelAdmin):
    list_display = ("id", "title", "owner_id", "status", "time_zone", "version", "updated_at")
    list_filter = ("status",)
    search_fields = ("=id", "=owner_id", "title")
    ordering = ("-updated_at",)
    inlines = (WeeklyRuleInline, DateExceptionInline)


@admin.register(Availability)
class AvailabilityAdmin(OperatorModelAdmin):
    list_display = (
        "property", "visit_minutes", "buffer_before_minutes", "buffer_after_minutes",
        "min_notice_minutes", "horizon_days", "daily_cap", "auto_confirm", "updated_at",
    )  # fmt: skip
    list_select_related = ("property",)
    search_fields = ("=property__id", "property__title")


@admin.register(Capacity)
class CapacityAdmin(OperatorModelAdmin):
    list_display = ("property", "scope", "key", "taken", "capacity")
    list_filter = ("scope",)
    search_fields = ("=property__id", "=key")
