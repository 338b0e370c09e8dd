"""Reads: who may see or change which property."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from rentezy_common.errors import ApiError, NotFound

from .choices import PropertyStatus
from .models import Property

EDITOR_ROLES = ("landlord", "admin")


class Forbidden(ApiError):
    status_code = 403
    code = "permission_denied"
    message = "Only the property's owner or an admin may change it."


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
