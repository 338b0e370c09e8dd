"""The operators' Django admin, the same in every service (docs/architecture/layout.md):
staff logins only, read-mostly, and the changes operators need are admin actions that
call the service's own services, so nothing is edited in a way that skips an event.

    @admin.register(Property)
    class PropertyAdmin(OperatorModelAdmin):
        actions = ("unpublish",)

        @admin.action(description="Unpublish", permissions=("operate",))
        def unpublish(self, request, queryset):
            actor = operator_caller(request)
            for_each(self, request, queryset, done="unpublished",
                     call=lambda pk: property_unpublish(property_id=pk, actor=actor))

Settings and middleware: `platform_settings(admin=True)`; URL: `admin.site.urls` at
`admin/`. Only for services that install django.contrib.admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db.models import QuerySet

from .errors import ApiError
from .gateway import Caller, Identity


def operator_caller(request) -> Caller:
    """The actor an admin action hands a service: role admin, acting for the signed-in
    staff user. Its id (`operator:<username>`) is never a platform user's id, so it owns
    nothing; services' access rules let it act as an admin."""
    username = request.user.get_username()
    request_id = getattr(request, "request_id", "") or ""
    return Caller(Identity(user_id=f"operator:{username}", role="admin", request_id=request_id))


class OperatorModelAdmin(admin.ModelAdmin):
    """Read-only rows: nobody adds, edits or deletes here. Actions declared with
    `permissions=("operate",)` are for staff holding the model's Django "change"
    permission (superusers hold every permission); "view" is enough to look."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_operate_permission(self, request) -> bool:
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown for information; they change through the services."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def for_each(
    model_admin: admin.ModelAdmin,
    request,
    queryset: QuerySet,
    *,
    call: Callable[[Any], object],
    done: str,
) -> int:
    """Call a service once per selected row (`call(pk)`, each its own transaction): a
    domain error refuses that row only and is shown to the operator; the others go on.
    Returns how many succeeded (and says so: "3 unpublished.")."""
    succeeded = 0
    for key in queryset.values_list("pk", flat=True):
        try:
            call(key)
        except ApiError as exc:
            model_admin.message_user(request, f"{key}: {exc.message}", level=messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, f"{succeeded} {done}.", level=messages.SUCCESS)
    return succeeded
