"""Visits as iCalendar (RFC 5545), with the `icalendar` library: one visit's .ics and a
user's feed. Not in the usual layout because it is an output format of its own, like a
representation, but bytes rather than JSON.

Each visit is one VEVENT whose UID never changes (`visit-<id>@<domain>`), whose
SEQUENCE is the visit's `sequence` (bumped on every change: confirmation, new time,
cancellation), and whose STATUS follows the visit: TENTATIVE while pending, CONFIRMED,
CANCELLED once declined or cancelled. Calendar apps that re-read the .ics or poll the
feed replace the event of the same UID with the higher SEQUENCE. Times are UTC
(unambiguous whatever the reader's zone); the property's zone is named in the
description.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, Event

from . import policies
from .choices import VisitStatus
from .models import Visit

PRODID = "-//RentEzy//Visits//EN"
STATUS = {
    VisitStatus.PENDING: "TENTATIVE",
    VisitStatus.CONFIRMED: "CONFIRMED",
    VisitStatus.DECLINED: "CANCELLED",
    VisitStatus.CANCELLED: "CANCELLED",
}
CONTENT_TYPE = "text/calendar; charset=utf-8"


def visit_uid(visit: Visit) -> str:
    return f"visit-{visit.id}@{settings.VISITS_CALENDAR_UID_DOMAIN}"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def visit_event(visit: Visit) -> Event:
    zone = policies.zone_of(visit.time_zone)
    title = visit.property.title or "a property"
    event = Event()
    event.add("uid", visit_uid(visit))
    event.add("sequence", visit.sequence)
    event.add("dtstamp", visit.updated_at)
    event.add("last-modified", visit.updated_at)
    event.add("created", visit.created_at)
    event.add("dtstart", visit.start)
    event.add("dtend", visit.end)
    event.add("summary", f"Visit: {title}")
    if visit.property.address:
        event.add("location", visit.property.address)
    local = visit.start.astimezone(zone)
    lines = [f"Viewing of {title}, {local:%A %d %B %Y %H:%M} ({zone.key})."]
    if visit.status in (VisitStatus.CANCELLED, VisitStatus.DECLINED) and visit.reason:
        lines.append(f"{visit.status.title()}: {visit.reason}")
    event.add("description", "\n".join(lines))
    event.add("status", STATUS[visit.status])
    event.add("transp", "OPAQUE")
    return event


def visit_ics(visit: Visit) -> bytes:
    calendar = _calendar("RentEzy visit")
    calendar.add_component(visit_event(visit))
    return calendar.to_ical()


def feed_ics(visits: Iterable[Visit]) -> bytes:
    calendar = _calendar("RentEzy visits")
    calendar.add("x-published-ttl", "PT15M")
    for visit in visits:
        calendar.add_component(visit_event(visit))
    return calendar.to_ical()
