"""A property's IANA time zone: the landlord's choice, else the zone its location lies in.

Derived offline from the coordinates with tzfpy (PyPI: the timezone-boundary-builder
polygons compiled in, no network, about a microsecond a lookup), so every published
property (a location is required to publish) has a zone. Zones are checked against the
system's tz database (zoneinfo), which is also what every consumer computes dates with.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

import tzfpy


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str) -> bool:
    return name in known_zones()


def zone_at(latitude: float, longitude: float) -> str:
    """The IANA zone at a point; "UTC" at sea or where the data has none."""
    name = tzfpy.get_tz(longitude, latitude)
    return name if name and is_zone(name) else "UTC"
