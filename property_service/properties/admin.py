"""Django admin for operators: /admin/, reached on the internal network or by
`kubectl port-forward`, never through the gateway (docs/services/property.md).

Staff users are this service's own (`manage.py createsuperuser`). Everything is
read-only: listings, room types and photos change through `properties.services`, so
every change publishes its `property-events` event. What operators need to do is an
action calling those services: unpublish a listing (published → archived), or delete it
(soft, as the owner's DELETE does).
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
from .models import Photo, Property, Room

ROOM_FIELDS = ("name", "total_units", "monthly_price", "deposit", "created_at", "updated_at")
PHOTO_FIELDS = ("position", "is_cover", "stored_as", "content_type", "width", "height")


class RoomInline(ReadOnlyInline):
    model = Room
    fields = ROOM_FIELDS


class PhotoInline(ReadOnlyInline):
    model = Photo
    fields = PHOTO_FIELDS

    @admin.display(description="stored as")
    def stored_as(self, photo: Photo) -> str:
        # The storage name, not a link: media URLs are under /api/, which only the
        # gateway may call.
        return photo.file.name


@admin.register(Property)
class PropertyAdmin(OperatorModelAdmin):
    list_display = (
        "title",
        "status",
        "city",
        "country",
        "owner_id",
        "monthly_price",
        "currency",
        "created_at",
        "published_at",
    )
    list_filter = ("status", "property_type", "country")
    search_fields = ("title", "city", "locality", "=owner_id")
    ordering = ("-created_at",)
    inlines = (RoomInline, PhotoInline)
    actions = ("unpublish", "delete_listing")

    @admin.action(
        description="Unpublish the selected listings (published → archived)",
        permissions=("operate",),
    )
    def unpublish(self, request, queryset) -> None:
        self._call_for_each(request, queryset, services.property_unpublish, done="unpublished")

    @admin.action(
        description="Delete the selected listings (soft: gone for everybody)",
        permissions=("operate",),
    )
    def delete_listing(self, request, queryset) -> None:
        self._call_for_each(request, queryset, services.property_delete, done="deleted")

    def _call_for_each(self, request, queryset, service, *, done: str) -> None:
        actor = operator_caller(request)
        for_each(
            self,
            request,
            queryset,
            done=done,
            call=lambda pk: service(property_id=pk, actor=actor),
        )


@admin.register(Room)
class RoomAdmin(OperatorModelAdmin):
    list_display = ("name", "property", "total_units", "monthly_price", "deposit", "updated_at")
    list_select_related = ("property",)
    search_fields = ("name", "property__title")
    ordering = ("-updated_at",)


@admin.register(Photo)
class PhotoAdmin(OperatorModelAdmin):
    list_display = ("__str__", "property", "position", "is_cover", "content_type", "created_at")
    list_select_related = ("property",)
    search_fields = ("property__title",)
    ordering = ("-created_at",)
