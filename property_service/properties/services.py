"""Writes: every change to a property, its rooms or its photos.

Each service runs one transaction that
1. locks the property row (`SELECT ... FOR UPDATE`), so changes of one property
   serialize: two concurrent edits cannot both start from the same old state, and
2. applies the change (status changes as properties.states allows), then
3. reads the property back and publishes its full representation with `publish_event`.

Because the representation is built while the lock is held, every event shows exactly
the state its transaction commits, and versions (assigned by `publish_event` in the same
transaction) follow commit order. The API, the Django admin's actions and anything else
that changes a property call these functions.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from rentezy_common.errors import NotFound
from rentezy_common.events import publish_event

from . import timezones
from .choices import PropertyStatus
from .errors import LimitReached, NotPublishable
from .images import ImageInfo
from .models import Photo, Property, Room
from .representation import property_representation
from .selectors import check_change_allowed
from .states import CREATED, EVENT_TYPES, UPDATED, transition_check
from .storage import photo_name, photo_storage

logger = logging.getLogger(__name__)

AGGREGATE = "property"

# Fields a PATCH may change (the serializers produce these names).
EDITABLE_FIELDS = (
    "title",
    "description",
    "property_type",
    "address_line1",
    "address_line2",
    "locality",
    "city",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "currency",
    "monthly_price",
    "deposit",
    "bedrooms",
    "bathrooms",
    "area_sqft",
    "furnished",
    "amenities",
    "house_rules",
    "available_from",
    "time_zone",
)
ROOM_FIELDS = ("name", "total_units", "monthly_price", "deposit")

# -- helpers ----------------------------------------------------------------------------


def _lock(property_id: uuid.UUID, actor) -> Property:
    """The property row, locked until the transaction ends; 404/403 as for the caller."""
    prop = (
        Property.objects.select_for_update(of=("self",))
        .exclude(status=PropertyStatus.DELETED)
        .filter(pk=property_id)
        .first()
    )
    return check_change_allowed(prop, actor)


def _emit(property_id: uuid.UUID, event_type: str) -> dict[str, Any]:
    """Publish the committed-to-be state of the property (read back, not assembled from
    what the caller sent, so the event is what the database holds)."""
    representation = _representation(property_id)
    publish_event(
        topic=settings.PROPERTY_EVENTS_TOPIC,
        event_type=event_type,
        aggregate_type=AGGREGATE,
        aggregate_id=representation["id"],
        payload=representation,
    )
    return representation


def _representation(property_id: uuid.UUID) -> dict[str, Any]:
    return property_representation(Property.objects.get(pk=property_id))


def _touch(prop: Property) -> None:
    """A room or photo changed: the property's representation changed, so its
    updated_at too."""
    prop.save(update_fields=["updated_at"])


def _missing_for_publish(prop: Property, room_count: int) -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    if not prop.has_location:
        missing["location"] = ["A published property needs a location (lat and lon)."]
    if prop.monthly_price is None:
        missing["monthly_price"] = ["A published property needs a monthly price."]
    if room_count < 1:
        missing["rooms"] = ["A published property needs at least one room type."]
    return missing


def _check_still_publishable(prop: Property) -> None:
    if prop.status != PropertyStatus.PUBLISHED:
        return
    missing = _missing_for_publish(prop, prop.rooms.count())
    if missing:
        raise NotPublishable(
            "A published property must keep its location, monthly price and at least one "
            "room type; unpublish it first.",
            details=missing,
        )


# -- properties -------------------------------------------------------------------------


def _settle_time_zone(prop: Property, fields: Mapping[str, Any]) -> list[str]:
    """Keep `time_zone` right after `fields` were applied: an explicit one (a blank one
    hands the choice back to the location), else the zone of the location. Returns the
    model fields it changed."""
    before = (prop.time_zone, prop.time_zone_explicit)
    if "time_zone" in fields:
        prop.time_zone_explicit = bool(fields["time_zone"])
    if not prop.time_zone_explicit:
        prop.time_zone = (
            timezones.zone_at(prop.latitude, prop.longitude) if prop.has_location else ""
        )
    return ["time_zone", "time_zone_explicit"] if before != (
        prop.time_zone, prop.time_zone_explicit
    ) else []  # fmt: skip


def property_create(*, owner_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A new draft owned by `owner_id`; publishes `property.created`."""
    with transaction.atomic():
        prop = Property(owner_id=str(owner_id), status=PropertyStatus.DRAFT)
        for name, value in fields.items():
            if name not in EDITABLE_FIELDS:
                raise ValueError(f"not an editable field: {name}")
            setattr(prop, name, value)
        _settle_time_zone(prop, fields)
        prop.save()
        return _emit(prop.id, CREATED)


def property_update(*, property_id: uuid.UUID, actor, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Apply a partial update; publishes `property.updated` (nothing when nothing
    changed). A published property must stay publishable (409 `not_publishable`)."""
    with transaction.atomic():
        prop = _lock(property_id, actor)
        changed = []
        for name, value in changes.items():
            if name not in EDITABLE_FIELDS:
                raise ValueError(f"not an editable field: {name}")
            if getattr(prop, name) != value:
                setattr(prop, name, value)
                changed.append(name)
        changed = list(dict.fromkeys([*changed, *_settle_time_zone(prop, changes)]))
        if not changed:
            return _representation(prop.pk)
        _check_still_publishable(prop)
        prop.save(update_fields=[*changed, "updated_at"])
        return _emit(prop.id, UPDATED)


def _status_change(prop: Property, target: str) -> None:
    transition_check(prop.status, target)
    prop.status = target
    fields = ["status", "updated_at"]
    if target == PropertyStatus.PUBLISHED:
        prop.published_at = timezone.now()
        fields.append("published_at")
    elif target == PropertyStatus.DELETED:
        prop.deleted_at = timezone.now()
        fields.append("deleted_at")
    prop.save(update_fields=fields)


def property_publish(*, property_id: uuid.UUID, actor) -> dict[str, Any]:
    """draft/archived → published, once it has a location, a price and a room."""
    with transaction.atomic():
        prop = _lock(property_id, actor)
        transition_check(prop.status, PropertyStatus.PUBLISHED)
        missing = _missing_for_publish(prop, prop.rooms.count())
        if missing:
            raise NotPublishable(details=missing)
        _status_change(prop, PropertyStatus.PUBLISHED)
        return _emit(prop.id, EVENT_TYPES[PropertyStatus.PUBLISHED])


def property_unpublish(*, property_id: uuid.UUID, actor) -> dict[str, Any]:
    """published → archived (kept, editable, can be published again). Landlords and
    operators (the Django admin's "unpublish" action) alike."""
    with transaction.atomic():
        prop = _lock(property_id, actor)
        _status_change(prop, PropertyStatus.ARCHIVED)
        return _emit(prop.id, EVENT_TYPES[PropertyStatus.ARCHIVED])


def property_delete(*, property_id: uuid.UUID, actor) -> dict[str, Any]:
    """Soft delete: status `deleted`, gone for everybody; the last representation is
    published as `property.deleted`. Rooms, photos and files are kept (history,
    disputes)."""
    with transaction.atomic():
        prop = _lock(property_id, actor)
        _status_change(prop, PropertyStatus.DELETED)
        return _emit(prop.id, EVENT_TYPES[PropertyStatus.DELETED])


# -- rooms ------------------------------------------------------------------------------


def _room_in(prop: Property, room_id: uuid.UUID) -> Room:
    room = Room.objects.filter(property=prop, pk=room_id).first()
    if room is None:
        raise NotFound("No such room type.")
    return room


def _check_room_name(prop: Property, name: str, *, exclude: uuid.UUID | None = None) -> None:
    # Race-free: the property row is locked, and a UNIQUE constraint backs it anyway.
    clash = Room.objects.filter(property=prop, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": ["This property already has a room type with this name."]})


def _room_from(representation: dict[str, Any], room_id: uuid.UUID) -> dict[str, Any]:
    return next(room for room in representation["rooms"] if room["id"] == str(room_id))


def room_create(*, property_id: uuid.UUID, actor, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Add a room type; publishes `property.updated` with it in `rooms`."""
    with transaction.atomic():
        prop = _lock(property_id, actor)
        limit = settings.PROPERTY_ROOM_MAX_COUNT
        if prop.rooms.count() >= limit:
            raise LimitReached(f"A property has at most {limit} room types.", code="too_many_rooms")
        _check_room_name(prop, fields["name"])
        room = Room(property=prop, **{k: v for k, v in fields.items() if k in ROOM_FIELDS})
        room.save()
        _touch(prop)
        return _room_from(_emit(prop.id, UPDATED), room.id)


def room_update(
    *, property_id: uuid.UUID, room_id: uuid.UUID, actor, changes: Mapping[str, Any]
) -> dict[str, Any]:
    with transaction.atomic():
        prop = _lock(property_id, actor)
        room = _room_in(prop, room_id)
        if "name" in changes:
            _check_room_name(prop, changes["name"], exclude=room.pk)
        changed = [k for k in ROOM_FIELDS if k in changes and getattr(room, k) != changes[k]]
        if not changed:
            return _room_from(_representation(prop.pk), room.id)
        for name in changed:
            setattr(room, name, changes[name])
        room.save(update_fields=[*changed, "updated_at"])
        _touch(prop)
        return _room_from(_emit(prop.id, UPDATED), room.id)


def room_delete(*, property_id: uuid.UUID, room_id: uuid.UUID, actor) -> None:
    """Remove a room type for good (its id is never reused). A published property keeps
    at least one."""
    with transaction.atomic():
        prop = _lock(property_id, actor)
        room = _room_in(prop, room_id)
        if prop.status == PropertyStatus.PUBLISHED and prop.rooms.count() <= 1:
            raise NotPublishable(
                "A published property must keep at least one room type; unpublish it first.",
                details={"rooms": ["This is the last room type of a published property."]},
            )
        room.delete()
        _touch(prop)
        _emit(prop.id, UPDATED)


# -- photos -----------------------------------------------------------------------------


def _photo_in(prop: Property, photo_id: uuid.UUID) -> Photo:
    photo = Photo.objects.filter(property=prop, pk=photo_id).first()
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def _photo_from(representation: dict[str, Any], photo_id: uuid.UUID) -> dict[str, Any]:
    return next(photo for photo in representation["photos"] if photo["id"] == str(photo_id))


def _renumber(prop: Property, ordered: list[Photo]) -> None:
    """Positions 0..n-1 in the given order (the UNIQUE on position is deferred, so rows
    may pass through each other's positions inside the transaction)."""
    for position, photo in enumerate(ordered):
        if photo.position != position:
            photo.position = position
            photo.save(update_fields=["position"])


def _delete_file_after_commit(name: str) -> None:
    def delete() -> None:
        try:
            photo_storage().delete(name)
        except Exception:  # the row is gone; an orphan file is only wasted space
            logger.exception("could not delete photo file", extra={"file": name})

    transaction.on_commit(delete)


def photo_add(
    *, property_id: uuid.UUID, actor, upload: UploadedFile, info: ImageInfo
) -> dict[str, Any]:
    """Store an already verified image and append it to the property's photos (the first
    one becomes the cover); publishes `property.updated`.

    The file is written before the transaction, so slow storage never holds the row lock;
    if the transaction fails the file is removed again."""
    photo_id = uuid.uuid4()
    storage = photo_storage()
    upload.seek(0)
    name = storage.save(
        photo_name(property_id=property_id, photo_id=photo_id, content_type=info.content_type),
        upload,
    )
    try:
        with transaction.atomic():
            prop = _lock(property_id, actor)
            count = prop.photos.count()
            limit = settings.PROPERTY_PHOTO_MAX_COUNT
            if count >= limit:
                raise LimitReached(
                    f"A property has at most {limit} photos.", code="too_many_photos"
                )
            Photo.objects.create(
                id=photo_id,
                property=prop,
                file=name,
                content_type=info.content_type,
                size_bytes=upload.size,
                width=info.width,
                height=info.height,
                position=count,
                is_cover=count == 0,
            )
            _touch(prop)
            return _photo_from(_emit(prop.id, UPDATED), photo_id)
    except BaseException:
        with contextlib.suppress(Exception):
            storage.delete(name)
        raise


def photo_update(
    *,
    property_id: uuid.UUID,
    photo_id: uuid.UUID,
    actor,
    position: int | None = None,
    is_cover: bool | None = None,
) -> dict[str, Any]:
    """Move a photo to `position` (others shift) and/or make it the cover."""
    with transaction.atomic():
        prop = _lock(property_id, actor)
        photo = _photo_in(prop, photo_id)
        photos = list(Photo.objects.filter(property=prop).order_by("position"))
        changed = False
        if position is not None and position != photo.position:
            if position >= len(photos):
                raise ValidationError({"position": [f"Must be between 0 and {len(photos) - 1}."]})
            ordered = [p for p in photos if p.pk != photo.pk]
            ordered.insert(position, next(p for p in photos if p.pk == photo.pk))
            _renumber(prop, ordered)
            changed = True
        if is_cover is True and not photo.is_cover:
            # Unset the old cover first: at most one cover at any moment (partial UNIQUE).
            Photo.objects.filter(property=prop, is_cover=True).update(is_cover=False)
            Photo.objects.filter(pk=photo.pk).update(is_cover=True)
            changed = True
        elif is_cover is False and photo.is_cover:
            raise ValidationError(
                {"is_cover": ["A property always has a cover; make another photo the cover."]}
            )
        if not changed:
            return _photo_from(_representation(prop.pk), photo_id)
        _touch(prop)
        return _photo_from(_emit(prop.id, UPDATED), photo_id)


def photo_delete(*, property_id: uuid.UUID, photo_id: uuid.UUID, actor) -> None:
    """Remove a photo; the others close the gap, and if it was the cover the first
    remaining photo becomes the cover. The file goes once the transaction commits."""
    with transaction.atomic():
        prop = _lock(property_id, actor)
        photo = _photo_in(prop, photo_id)
        name = photo.file.name
        photo.delete()
        remaining = list(Photo.objects.filter(property=prop).order_by("position"))
        _renumber(prop, remaining)
        if photo.is_cover and remaining:
            Photo.objects.filter(pk=remaining[0].pk).update(is_cover=True)
        _touch(prop)
        _emit(prop.id, UPDATED)
        _delete_file_after_commit(name)
