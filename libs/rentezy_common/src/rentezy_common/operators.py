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


# --- dead letters -------------------------------------------------------------------------


def dead_letters_waiting(spec, *, timeout: float = 5.0) -> int | str:
    """Messages in a consumer's dead-letter topic not yet replayed (the replay's own
    consumer group remembers how far it got); "?" if Kafka cannot be asked."""
    from confluent_kafka import KafkaException

    from .events.consumer import waiting_dead_letters

    try:
        return waiting_dead_letters(spec, timeout=timeout)
    except KafkaException:
        return "?"


def dead_letters_view(request):
    """/admin/dead-letters/: each consumer's waiting dead letters; superusers replay."""
    from django.shortcuts import redirect
    from django.template.response import TemplateResponse

    from .events.consumer import get_consumer, registered_consumers, replay_dead_letters

    can_replay = request.user.is_superuser
    if request.method == "POST":
        if not can_replay:
            messages.error(request, "Only superusers replay dead letters.")
            return redirect(request.path)
        try:
            spec = get_consumer(request.POST.get("consumer", ""))
        except KeyError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        result = replay_dead_letters(spec)
        messages.info(
            request,
            f"{spec.name}: {result['replayed']} replayed, "
            f"{result['skipped_duplicates']} already applied, {result['failed']} failed again.",
        )
        return redirect(request.path)
    rows = [
        {
            "name": spec.name,
            "topics": list(spec.topics),
            "dlq": spec.dlq,
            "waiting": dead_letters_waiting(spec),
        }
        for spec in registered_consumers().values()
    ]
    context = {**admin.site.each_context(request), "consumers": rows, "can_replay": can_replay}
    return TemplateResponse(request, "rentezy_common/dead_letters.html", context)


def dead_letter_urls():
    """URL patterns for a service's root URLconf (before `admin/`): the dead-letters page,
    for staff signed in to the admin."""
    from django.urls import path

    return [path("admin/dead-letters/", admin.site.admin_view(dead_letters_view))]
