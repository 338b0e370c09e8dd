"""Reads, and the access rules: who may see or change which property, room, photo or
file. A selector returns what the caller may see or raises the API's 404/403."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from rentezy_common.errors import NotFound

from .choices import PropertyStatus
from .errors import Forbidden
from .models import Photo, Property, Room

EDITOR_ROLES = ("landlord", "admin")


def _is_admin(actor) -> bool:
    return bool(actor and actor.is_authenticated and actor.role == "admin")


def _is_owner(prop: Property, actor) -> bool:
    return bool(actor and actor.is_authenticated and prop.owner_id == str(actor.id))


def can_view(prop: Property, actor) -> bool:
    """Published: everybody (anonymous too). Draft/archived: the owner and admins.
    Deleted: nobody."""
    if prop.status == PropertyStatus.DELETED:
        return False
    if prop.status == PropertyStatus.PUBLISHED:
        return True
    return _is_admin(actor) or _is_owner(prop, actor)


def can_change(prop: Property, actor) -> bool:
    if prop.status == PropertyStatus.DELETED:
        return False
    if _is_admin(actor):
        return True
    return actor.role == "landlord" and _is_owner(prop, actor)


def check_change_allowed(prop: Property | None, actor) -> Property:
    """404 when the caller cannot see the property (so drafts do not leak), 403 when they
    can see it but may not change it."""
    if prop is None or not can_view(prop, actor):
        raise NotFound("No such property.")
    if not can_change(prop, actor):
        raise Forbidden()
    return prop


def property_get_visible(*, property_id: uuid.UUID, actor) -> Property:
    prop = (
        Property.objects.prefetch_related("rooms", "photos")
        .exclude(status=PropertyStatus.DELETED)
        .filter(pk=property_id)
        .first()
    )
    if prop is None or not can_view(prop, actor):
        raise NotFound("No such property.")
    return prop


def property_get_for_change(*, property_id: uuid.UUID, actor) -> Property:
    """Unlocked pre-check (before parsing a body or storing a file); services check
    again under the row lock."""
    prop = Property.objects.exclude(status=PropertyStatus.DELETED).filter(pk=property_id).first()
    return check_change_allowed(prop, actor)


def property_list_visible(*, actor) -> QuerySet[Property]:
    """Every property the caller may read: published ones, their own, all for admins."""
    qs = Property.objects.exclude(status=PropertyStatus.DELETED)
    if not _is_admin(actor):
        visible = Q(status=PropertyStatus.PUBLISHED)
        if actor and actor.is_authenticated:
            visible |= Q(owner_id=str(actor.id))
        qs = qs.filter(visible)
    return qs.prefetch_related("rooms", "photos")


def _part_of_visible(*, property_id: uuid.UUID, actor, parts: str, part_id: uuid.UUID):
    """A room type or photo (`parts`: the related name) of a property the caller may
    see, its `property` already loaded; None when the property has no such part."""
    prop = property_get_visible(property_id=property_id, actor=actor)
    return next((part for part in getattr(prop, parts).all() if part.pk == part_id), None)


def room_get_visible(*, property_id: uuid.UUID, room_id: uuid.UUID, actor) -> Room:
    room = _part_of_visible(property_id=property_id, actor=actor, parts="rooms", part_id=room_id)
    if room is None:
        raise NotFound("No such room type.")
    return room


def photo_get_visible(*, property_id: uuid.UUID, photo_id: uuid.UUID, actor) -> Photo:
    photo = _part_of_visible(property_id=property_id, actor=actor, parts="photos", part_id=photo_id)
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def photo_get_for_media(*, name: str) -> Photo:
    """The photo stored under `name`, unless its property is deleted: media are public
    (an <img> cannot send a bearer token; names are unguessable UUIDs)."""
    photo = (
        Photo.objects.filter(file=name)
        .exclude(property__status=PropertyStatus.DELETED)
        .only("id", "content_type")
        .first()
    )
    if photo is None:
        raise NotFound("No such file.")
    return photo
