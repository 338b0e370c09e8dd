"""The JSON of a property (`property_representation`, with its rooms and photos): the
payload of every `property-events` event and the body of every property the API returns;
a room or photo of the API is the corresponding element of it.

One function builds it for both, so what consumers receive and what the API shows cannot
drift apart. The shape is fixed by docs/contracts/property-events.md; fields added here
beyond the contract (`deposit_inherited` of a room, `width`/`height`/`size_bytes` of a
photo) are additions consumers may ignore.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from .models import Photo, Property, Room
from .storage import photo_url


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="microseconds")


def room_representation(room: Room, prop: Property) -> dict[str, Any]:
    deposit = prop.deposit if room.deposit is None else room.deposit
    return {
        "id": str(room.id),
        "name": room.name,
        "total_units": room.total_units,
        "monthly_price": _money(room.monthly_price),
        "deposit": _money(deposit),
        "deposit_inherited": room.deposit is None,
        "currency": prop.currency,
    }


def photo_representation(photo: Photo) -> dict[str, Any]:
    return {
        "id": str(photo.id),
        "url": photo_url(photo.file.name),
        "position": photo.position,
        "is_cover": photo.is_cover,
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
        "size_bytes": photo.size_bytes,
    }


def property_representation(prop: Property) -> dict[str, Any]:
    """The full state of `prop`, its rooms and photos (contract shape).

    Uses `prop.rooms.all()` / `prop.photos.all()`: prefetched by list views, read fresh
    by the services, which call this inside the transaction that holds the property's row
    lock, so the representation is the state being committed and nothing else.
    """
    rooms = sorted(prop.rooms.all(), key=lambda r: (r.created_at, str(r.id)))
    photos = sorted(prop.photos.all(), key=lambda p: p.position)
    cover = next((p for p in photos if p.is_cover), None)
    return {
        "id": str(prop.id),
        "owner_id": prop.owner_id,
        "status": prop.status,
        "title": prop.title,
        "description": prop.description,
        "property_type": prop.property_type,
        "address": {
            "line1": prop.address_line1,
            "line2": prop.address_line2,
            "locality": prop.locality,
            "city": prop.city,
            "state": prop.state,
            "postal_code": prop.postal_code,
            "country": prop.country,
        },
        "location": ({"lat": prop.latitude, "lon": prop.longitude} if prop.has_location else None),
        "time_zone": prop.time_zone or None,
        "currency": prop.currency,
        "monthly_price": _money(prop.monthly_price),
        "deposit": _money(prop.deposit),
        "bedrooms": prop.bedrooms,
        "bathrooms": prop.bathrooms,
        "area_sqft": prop.area_sqft,
        "furnished": prop.furnished,
        "amenities": sorted(prop.amenities),
        "house_rules": prop.house_rules,
        "available_from": prop.available_from.isoformat() if prop.available_from else None,
        "rooms": [room_representation(room, prop) for room in rooms],
        "photos": [photo_representation(photo) for photo in photos],
        "cover_photo_url": photo_url(cover.file.name) if cover else None,
        "created_at": _time(prop.created_at),
        "updated_at": _time(prop.updated_at),
        "published_at": _time(prop.published_at),
    }
