"""Django admin for operators (reached by port-forward at /admin/, never through the
gateway). Edits go through accounts.services, so they publish `user-events` and revoke
sessions exactly as the API does. Users are never added here (tenants and landlords
register, admins come from `createsuperuser`) nor deleted (deactivate instead: other
services keep references to user ids)."""

from __future__ import annotations

from django.contrib import admin, messages

from rentezy_common.errors import ApiError
from rentezy_common.operators import ReadOnlyInline, for_each

from . import services
from .models import User, UserSession


class UserSessionInline(ReadOnlyInline):
    # Shown for information; sessions end through the services.
    model = UserSession
    fields = ("id", "created_at", "last_refreshed_at", "revoked_at", "revoke_reason")
    ordering = ("-created_at",)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "role", "is_active", "created_at", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("-created_at",)
    fields = (
        "email",
        "full_name",
        "phone",
        "role",
        "is_active",
        "is_superuser",
        "last_login",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("email", "role", "is_superuser", "last_login", "created_at", "updated_at")
    inlines = (UserSessionInline,)
    actions = ("deactivate_users", "activate_users")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        changes = {
            name: form.cleaned_data[name]
            for name in ("full_name", "phone")
            if name in form.changed_data
        }
        try:
            if changes:
                services.user_update(user_id=obj.pk, **changes)
            if "is_active" in form.changed_data:
                if form.cleaned_data["is_active"]:
                    services.user_activate(user_id=obj.pk)
                else:
                    services.user_deactivate(user_id=obj.pk, actor_id=request.user.pk)
        except ApiError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)

    @admin.action(description="Deactivate selected users (revokes their sessions)")
    def deactivate_users(self, request, queryset) -> None:
        for_each(
            self,
            request,
            queryset,
            done="deactivated",
            call=lambda pk: services.user_deactivate(user_id=pk, actor_id=request.user.pk),
        )

    @admin.action(description="Activate selected users")
    def activate_users(self, request, queryset) -> None:
        for_each(
            self,
            request,
            queryset,
            done="activated",
            call=lambda pk: services.user_activate(user_id=pk),
        )
