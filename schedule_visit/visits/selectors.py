"""Reads, and who may read what: tenants see their visits, landlords those of their
properties, admins everything; the slots of a published property are public, its
viewing hours are its landlord's."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from . import policies
from .errors import PropertyNotFound, VisitNotFound
from .models import (
    ACTIVE,
    Availability,
    CalendarFeed,
    DateException,
    Property,
    Visit,
    WeeklyRule,
)
from .representation import slot_representation

REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}


# -- properties and their hours ------------------------------------------------------------
def property_can_manage(prop: Property, *, actor_id: str | None, role: str | None) -> bool:
    return role == "admin" or (role == "landlord" and prop.owner_id == actor_id)


def property_get(*, property_id) -> Property:
    prop = Property.objects.filter(pk=property_id).first()
    if prop is None or prop.status == "deleted":
        raise PropertyNotFound()
    return prop


def property_get_managed(*, property_id, actor) -> Property:
    """The property if the actor is its landlord (or an admin); 404 otherwise."""
    prop = property_get(property_id=property_id)
    if not property_can_manage(prop, actor_id=actor.id, role=actor.role):
        raise PropertyNotFound()
    return prop


def availability_of(prop: Property) -> Availability:
    """The property's settings (the defaults, unsaved, until its landlord sets them)."""
    try:
        return prop.availability
    except Availability.DoesNotExist:
        return Availability(property=prop)


def hours_of(availability: Availability) -> policies.Hours:
    return policies.Hours(
        visit=timedelta(minutes=availability.visit_minutes),
        before=timedelta(minutes=availability.buffer_before_minutes),
        after=timedelta(minutes=availability.buffer_after_minutes),
        notice=timedelta(minutes=availability.min_notice_minutes),
        horizon=timedelta(days=availability.horizon_days),
        daily_cap=availability.daily_cap,
    )


def availability_rows(prop: Property) -> tuple[list[WeeklyRule], list[DateException]]:
    return (
        list(WeeklyRule.objects.filter(property=prop)),
        list(DateException.objects.filter(property=prop)),
    )


def hours_rules(
    property_id, first: date, last: date
) -> tuple[dict[int, list[policies.Window]], dict[date, list[policies.DayException]]]:
    """The weekly windows and the exceptions of `first`..`last`, as policies take them."""
    weekly: dict[int, list[policies.Window]] = defaultdict(list)
    for weekday, start, end, capacity in WeeklyRule.objects.filter(
        property_id=property_id
    ).values_list("weekday", "start", "end", "capacity"):
        weekly[weekday].append(policies.Window(start, end, capacity))
    exceptions: dict[date, list[policies.DayException]] = defaultdict(list)
    for day, closed, start, end, capacity in DateException.objects.filter(
        property_id=property_id, date__gte=first, date__lte=last
    ).values_list("date", "closed", "start", "end", "capacity"):
        window = policies.Window(start, end, capacity) if start is not None else None
        exceptions[day].append(policies.DayException(day, closed, window))
    return weekly, exceptions


def booked_between(property_id, start: datetime, end: datetime) -> list[policies.Booked]:
    """The active visits whose blocked ranges come near [start, end)."""
    rows = Visit.objects.filter(
        property_id=property_id,
        status__in=ACTIVE,
        blocked_to__gt=start - timedelta(days=1),
        blocked_from__lt=end + timedelta(days=1),
    ).values_list("blocked_from", "blocked_to", "slot_key", "local_date")
    return [policies.Booked(*row) for row in rows]


def property_slots(*, property_id, first: date | None, last: date | None, actor, now=None) -> dict:
    """The bookable slots of the local dates `first`..`last` (default: 14 days from the
    property's today) with the places left. Public for a published property; its
    landlord also sees an unpublished one's."""
    prop = property_get(property_id=property_id)
    if not prop.is_published and not property_can_manage(prop, actor_id=actor.id, role=actor.role):
        raise PropertyNotFound()
    now = now or timezone.now()
    availability = availability_of(prop)
    hours = hours_of(availability)
    zone = policies.zone_of(prop.time_zone)
    widest = timedelta(days=settings.VISITS_MAX_SLOT_DAYS - 1)
    first = first or now.astimezone(zone).date()
    if last is None or last < first or last - first > widest:
        last = first + min(timedelta(days=13), widest)
    weekly, exceptions = hours_rules(prop.id, first, last)
    slots = policies.slots_between(
        first, last, weekly=weekly, exceptions=exceptions, zone=zone, hours=hours, now=now
    )
    left: list[int] = []
    if slots:
        booked = booked_between(prop.id, slots[0].blocked_from, slots[-1].blocked_to)
        left = policies.remaining(slots, booked, daily_cap=hours.daily_cap)
    return {
        "property_id": str(prop.id),
        "time_zone": zone.key,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "visit_minutes": availability.visit_minutes,
        "auto_confirm": availability.auto_confirm,
        "slots": [slot_representation(slot, n, zone) for slot, n in zip(slots, left, strict=True)],
    }


# -- visits ------------------------------------------------------------------------------
def visit_can_see(visit: Visit, *, actor_id: str | None, role: str | None) -> bool:
    if role == "admin":
        return True
    if role == "tenant":
        return visit.tenant_id == actor_id
    if role == "landlord":
        return visit.owner_id == actor_id
    return False


def visit_get_visible(*, visit_id, actor) -> Visit:
    """The visit if the actor may see it; 404 otherwise (never a 403: whether a visit
    exists is not the caller's business)."""
    visit = Visit.objects.select_related("property").filter(pk=visit_id).first()
    if visit is None or not visit_can_see(visit, actor_id=actor.id, role=actor.role):
        raise VisitNotFound()
    return visit


def visit_list_visible(*, actor) -> QuerySet[Visit]:
    """The actor's visits, soonest first (a landlord's: those of their properties)."""
    visits = Visit.objects.select_related("property").order_by("start", "id")
    if actor.role == "tenant":
        return visits.filter(tenant_id=actor.id)
    if actor.role == "landlord":
        return visits.filter(owner_id=actor.id)
    if actor.role == "admin":
        return visits
    return visits.none()


def visits_upcoming_of_property(property_id, now: datetime) -> list:
    return list(
        Visit.objects.filter(property_id=property_id, status__in=ACTIVE, end__gt=now)
        .order_by("start")
        .values_list("id", flat=True)
    )


def reminders_due(now: datetime, limit: int = 500) -> list[tuple[str, str]]:
    """(visit id, "24h" | "1h") for confirmed visits whose reminder is due and not yet
    sent for their current start (the sweep's work list)."""
    due = []
    for kind, before in REMINDERS.items():
        field = f"reminded_{kind}_for"
        rows = (
            Visit.objects.filter(status="CONFIRMED", start__gt=now, start__lte=now + before)
            .exclude(**{field: F("start")})
            .order_by("start")
            .values_list("id", flat=True)[:limit]
        )
        due.extend((str(visit_id), kind) for visit_id in rows)
    return due


# -- calendar feeds ----------------------------------------------------------------------
def feed_get(*, token_hash: str) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(token_hash=token_hash).first()


def feed_visits(feed: CalendarFeed, now: datetime) -> list[Visit]:
    """The feed owner's visits that ended at most VISITS_FEED_PAST_DAYS ago, and every
    later one (cancelled ones too: a calendar must learn that they are off)."""
    since = now - timedelta(days=settings.VISITS_FEED_PAST_DAYS)
    visits = Visit.objects.select_related("property").filter(end__gte=since).order_by("start")
    if feed.role == "landlord":
        return list(visits.filter(owner_id=feed.user_id)[:1000])
    if feed.role == "tenant":
        return list(visits.filter(tenant_id=feed.user_id)[:1000])
    return []
