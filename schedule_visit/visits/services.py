"""Visit use cases: viewing hours, requests, answers, cancellations, reschedules,
reminders, calendar feeds, and the property snapshots from property-events (every write
of the visits service).

Every change of a visit takes its row lock (`SELECT ... FOR UPDATE`), checks the state
machine (visits.states), changes the visit and the places it holds, and records its
event through the outbox, in one transaction.

Whether a place is free is decided by PostgreSQL when the visit is written, never by a
read before it: the exclusion constraint `visit_no_overlap` refuses a visit whose
blocked range (the visit and its buffers) overlaps another slot's active visit, and the
`Capacity` rows (visits.capacity: one conditional upsert each) refuse the fifth visitor
of an open house of four, a visit past the daily cap and a tenant's pending request past
VISITS_MAX_PENDING_PER_TENANT. A refused request rolls back whole and answers 409.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from rentezy_common.errors import IllegalTransition
from rentezy_common.events import publish_event
from rentezy_common.tasks import enqueue

from . import capacity, policies, selectors
from .choices import CapacityScope, VisitStatus
from .errors import (
    DayFull,
    NotASlot,
    NotBookable,
    OwnProperty,
    PropertyNotFound,
    SlotTaken,
    TooManyPending,
    VisitNotFound,
)
from .models import Availability, CalendarFeed, DateException, Property, Visit, WeeklyRule
from .representation import iso, visit_representation
from .states import ACTIVE, EVENT_TYPES, REMINDER_DUE, RESCHEDULED, can_reschedule, can_transition

logger = logging.getLogger(__name__)
S = VisitStatus

# Celery tasks, by their registered names (visits/tasks.py).
TASK_SEND_REMINDER = "visits.send_reminder"
EXCLUSION = "visit_no_overlap"
DEADLOCK = "40P01"  # SQLSTATE deadlock_detected


# -- events ------------------------------------------------------------------------------
def _emit(visit: Visit, event_type: str, **extra) -> None:
    publish_event(
        topic=settings.VISIT_EVENTS_TOPIC,
        event_type=event_type,
        aggregate_type="visit",
        aggregate_id=visit.id,
        version=visit.version,
        payload={**visit_representation(visit), **extra},
    )


def _changed(visit: Visit, event_type: str, *, calendar: bool = True, **extra) -> None:
    """Save a locked visit that changed and announce it: a new event version, and a new
    calendar SEQUENCE when a calendar must show the change."""
    visit.version += 1
    if calendar:
        visit.sequence += 1
    visit.save()
    _emit(visit, event_type, **extra)


def _transition(visit: Visit, target: str, *, actor_role: str, reason: str = "") -> None:
    """Move a locked visit to `target` (or 409), give back the places it no longer
    holds, save it and emit the event."""
    previous = visit.status
    if not can_transition(previous, target):
        raise IllegalTransition(
            f"A {previous} visit cannot become {target}.",
            details={"status": previous, "target": target},
        )
    now = timezone.now()
    if previous == S.PENDING:
        _release_pending(visit)
    if target in (S.DECLINED, S.CANCELLED):
        _release_slot(visit)
        visit.reason = reason
        visit.ended_by = actor_role
        visit.ended_at = now
    if target == S.CONFIRMED:
        visit.confirmed_at = now
    visit.status = target
    _changed(visit, EVENT_TYPES[target], previous_status=previous, actor_role=actor_role)


def _locked(visit_id) -> Visit | None:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("property")
        .filter(pk=visit_id)
        .first()
    )


def _locked_visible(visit_id, actor) -> Visit:
    visit = _locked(visit_id)
    if visit is None or not selectors.visit_can_see(visit, actor_id=actor.id, role=actor.role):
        raise VisitNotFound()
    return visit


# -- places: taken by the database, never counted first -----------------------------------
def _take_pending(visit: Visit) -> None:
    if not capacity.capacity_take(
        property_id=visit.property_id,
        scope=CapacityScope.PENDING,
        key=visit.tenant_id,
        capacity=settings.VISITS_MAX_PENDING_PER_TENANT,
    ):
        raise TooManyPending(details={"limit": settings.VISITS_MAX_PENDING_PER_TENANT})


def _release_pending(visit: Visit) -> None:
    capacity.capacity_release(
        property_id=visit.property_id, scope=CapacityScope.PENDING, key=visit.tenant_id
    )


def _take_slot(visit: Visit, slot: policies.Slot, daily_cap: int | None) -> None:
    """Take the day's place (under a daily cap) and the open house's place; the visit's
    own row, written next, meets the exclusion constraint."""
    if daily_cap is not None and not capacity.capacity_take_day(
        property_id=visit.property_id,
        day=slot.day,
        capacity=daily_cap,
        visits_table=Visit._meta.db_table,
    ):
        raise DayFull(details={"date": slot.day.isoformat(), "daily_cap": daily_cap})
    if slot.key is not None and not capacity.capacity_take(
        property_id=visit.property_id, scope=CapacityScope.SLOT, key=slot.key,
        capacity=slot.capacity,
    ):  # fmt: skip
        raise SlotTaken(details={"start": policies.open_house_key(slot.start)[3:]})
    visit.start, visit.end = slot.start, slot.end
    visit.blocked_from, visit.blocked_to = slot.blocked_from, slot.blocked_to
    visit.capacity = slot.capacity
    visit.slot_key = slot.key or str(visit.id)
    visit.local_date = slot.day


def _release_slot(visit: Visit) -> None:
    capacity.capacity_release(
        property_id=visit.property_id, scope=CapacityScope.DAY, key=visit.local_date.isoformat()
    )
    if visit.capacity > 1:
        capacity.capacity_release(
            property_id=visit.property_id, scope=CapacityScope.SLOT, key=visit.slot_key
        )


def _write(visit: Visit, *, create: bool) -> None:
    """Insert or update the visit's row; the exclusion constraint's refusal is a 409.

    Two requests that insert overlapping visits at the same moment each wait, while
    checking the constraint, for the other's transaction: PostgreSQL breaks that cycle
    by aborting one of them (`deadlock detected` in the exclusion check). That one lost
    the race to a visit that overlaps it, exactly as a refusal would say: 409 too."""
    try:
        with transaction.atomic():
            if create:
                visit.save(force_insert=True)
            else:
                visit.save()
    except IntegrityError as exc:
        if EXCLUSION in str(exc):
            raise SlotTaken() from None
        raise
    except OperationalError as exc:
        cause = exc.__cause__
        if (
            getattr(cause, "sqlstate", None) == DEADLOCK
            and "exclusion constraint" in str(exc)
            and Visit._meta.db_table in str(exc)
        ):
            raise SlotTaken() from None
        raise


# -- the slot asked for ------------------------------------------------------------------
def _slot_for(prop: Property, start: datetime, now: datetime) -> tuple[policies.Slot, Availability]:
    availability = selectors.availability_of(prop)
    hours = selectors.hours_of(availability)
    zone = policies.zone_of(prop.time_zone)
    day = start.astimezone(zone).date()
    weekly, exceptions = selectors.hours_rules(prop.id, day, day)
    found = policies.find_slot(
        start, weekly=weekly, exceptions=exceptions, zone=zone, hours=hours, now=now
    )
    if isinstance(found, str):
        raise NotASlot(code=found, message=_NOT_A_SLOT[found], details={"start": start.isoformat()})
    return found, availability


_NOT_A_SLOT = {
    "in_the_past": "This time is in the past.",
    "inside_minimum_notice": "This time is too soon: the property asks for more notice.",
    "beyond_horizon": "This time is further ahead than the property takes visits.",
    "outside_hours": "The property is not open for visits at this time.",
    "off_grid": "Visits start on the property's slot times; this is between two of them.",
}


# -- requests ----------------------------------------------------------------------------
def visit_request(*, tenant_id: str, property_id: uuid.UUID, start: datetime) -> Visit:
    """A tenant asks for the slot starting at `start`: PENDING, or CONFIRMED at once
    where the landlord turned auto-confirm on. 409 `slot_taken` when its place is gone."""
    now = timezone.now()
    with transaction.atomic():
        prop = Property.objects.filter(pk=property_id).first()
        if prop is None or prop.status == "deleted":
            raise PropertyNotFound()
        if not prop.is_published:
            raise NotBookable()
        if prop.owner_id == tenant_id:
            raise OwnProperty()
        slot, availability = _slot_for(prop, start, now)
        status = S.CONFIRMED if availability.auto_confirm else S.PENDING
        visit = Visit(
            id=uuid.uuid4(), property=prop, tenant_id=tenant_id, owner_id=prop.owner_id,
            status=status, time_zone=prop.time_zone, version=1,
            confirmed_at=now if status == S.CONFIRMED else None,
        )  # fmt: skip
        if status == S.PENDING:
            _take_pending(visit)
        _take_slot(visit, slot, availability.daily_cap)
        _write(visit, create=True)
        _emit(
            visit, EVENT_TYPES[status], previous_status=None, actor_role="tenant",
            auto_confirmed=status == S.CONFIRMED,
        )  # fmt: skip
    return visit


def visit_confirm(*, visit_id, actor) -> Visit:
    """The landlord (or an admin) accepts a pending request."""
    with transaction.atomic():
        visit = _locked_visible(visit_id, actor)
        _transition(visit, S.CONFIRMED, actor_role=actor.role)
    return visit


def visit_decline(*, visit_id, actor, reason: str = "") -> Visit:
    """The landlord (or an admin) turns a pending request down; its place is free again."""
    with transaction.atomic():
        visit = _locked_visible(visit_id, actor)
        _transition(visit, S.DECLINED, actor_role=actor.role, reason=reason)
    return visit


def visit_cancel(*, visit_id, actor, reason: str) -> Visit:
    """The tenant, the landlord or an admin calls a pending or confirmed visit off."""
    with transaction.atomic():
        visit = _locked_visible(visit_id, actor)
        _transition(visit, S.CANCELLED, actor_role=actor.role, reason=reason)
    return visit


def visit_reschedule(*, visit_id, actor, start: datetime) -> Visit:
    """Move a pending or confirmed visit to another slot: the same visit (id, calendar
    UID), a new time, the next SEQUENCE. The new slot's place is taken before the old one
    is written over, in one transaction: 409 `slot_taken` leaves the visit as it was. A
    tenant moving a confirmed visit of a property without auto-confirm sends it back to
    PENDING (the landlord agreed to the old time only)."""
    now = timezone.now()
    with transaction.atomic():
        visit = _locked_visible(visit_id, actor)
        if not can_reschedule(visit.status):
            raise IllegalTransition(
                f"A {visit.status} visit cannot be moved.",
                details={"status": visit.status, "target": visit.status},
            )
        prop = visit.property
        if not prop.is_published:
            raise NotBookable()
        slot, availability = _slot_for(prop, start, now)
        if slot.start == visit.start:
            return visit
        previous = {"previous_start": visit.start, "previous_end": visit.end}
        previous_status = visit.status
        _release_slot(visit)
        if actor.role == "tenant" and visit.status == S.CONFIRMED and not availability.auto_confirm:
            if not can_transition(visit.status, S.PENDING):  # pragma: no cover - the table
                raise IllegalTransition()
            visit.status = S.PENDING
            visit.confirmed_at = None
            _take_pending(visit)
        _take_slot(visit, slot, availability.daily_cap)
        visit.time_zone = prop.time_zone
        visit.version += 1
        visit.sequence += 1
        _write(visit, create=False)
        _emit(
            visit, RESCHEDULED, previous_status=previous_status, actor_role=actor.role,
            previous_start=iso(previous["previous_start"]),
            previous_end=iso(previous["previous_end"]),
        )  # fmt: skip
    return visit


# -- reminders ---------------------------------------------------------------------------
def reminders_queue() -> int:
    """Queue one send task per reminder that is due (beat, every
    VISITS_REMINDER_SWEEP_SECONDS). A reminder queued twice (overlapping sweeps) is
    sent once: `visit_remind` re-checks under the visit's lock."""
    due = selectors.reminders_due(timezone.now())
    for visit_id, kind in due:
        enqueue(TASK_SEND_REMINDER, visit_id, kind)
    return len(due)


def visit_remind(*, visit_id, kind: str) -> bool:
    """Announce `visit.reminder_due` ("24h" or "1h") for a visit, once per start: only if
    it is still confirmed, still ahead, due, and not reminded of for this start (a
    cancelled or moved visit never reminds anyone of the old time). The 24 h reminder of
    a visit already inside its last hour is skipped: the 1 h one says it all."""
    before = selectors.REMINDERS[kind]
    field = f"reminded_{kind}_for"
    with transaction.atomic():
        visit = _locked(visit_id)
        now = timezone.now()
        if visit is None or visit.status != S.CONFIRMED:
            return False
        if not (now < visit.start <= now + before) or getattr(visit, field) == visit.start:
            return False
        setattr(visit, field, visit.start)
        if kind == "24h" and visit.start <= now + selectors.REMINDERS["1h"]:
            visit.save(update_fields=[field, "updated_at"])
            return False
        _changed(visit, REMINDER_DUE, calendar=False, reminder=kind)
    return True


# -- viewing hours -----------------------------------------------------------------------
def availability_set(*, property_id, actor, data: dict) -> Availability:
    """Replace a property's viewing hours and settings as a whole (its landlord or an
    admin). Visits already booked keep their times; slots that now overlap them show no
    place left."""
    with transaction.atomic():
        prop = selectors.property_get_managed(property_id=property_id, actor=actor)
        Property.objects.select_for_update().filter(pk=prop.pk).first()
        availability = selectors.availability_of(prop)
        cap_changed = availability.daily_cap != data["daily_cap"]
        for name in (
            "visit_minutes", "buffer_before_minutes", "buffer_after_minutes",
            "min_notice_minutes", "horizon_days", "daily_cap", "auto_confirm",
        ):  # fmt: skip
            setattr(availability, name, data[name])
        availability.save()
        WeeklyRule.objects.filter(property=prop).delete()
        WeeklyRule.objects.bulk_create(WeeklyRule(property=prop, **rule) for rule in data["weekly"])
        DateException.objects.filter(property=prop).delete()
        DateException.objects.bulk_create(
            DateException(property=prop, **exception) for exception in data["exceptions"]
        )
        if cap_changed:
            # Counted again from the visits on the next request of each day.
            capacity.capacity_forget(property_id=prop.pk, scope=CapacityScope.DAY)
    return availability


# -- property-events ---------------------------------------------------------------------
def property_apply(
    *, property_id: str, owner_id: str, title: str, address: str, status: str,
    time_zone: str, version: int,
) -> bool:  # fmt: skip
    """Apply a property snapshot (from the consumer, inside the runner's transaction):
    idempotent by the property's event version, so a replayed or reordered event changes
    nothing (False). A property that stops being published (unpublished, archived,
    deleted) cancels its upcoming visits, each with its `visit.cancelled` event."""
    if time_zone and not policies.is_zone(time_zone):
        logger.warning(
            "unknown time zone in a property snapshot; UTC used",
            extra={"property_id": property_id, "time_zone": time_zone},
        )
        time_zone = ""
    with transaction.atomic():
        prop = Property.objects.select_for_update().filter(pk=property_id).first()
        if prop is not None and prop.version >= version:
            logger.info(
                "stale property event ignored",
                extra={"property_id": property_id, "version": version},
            )
            return False
        was_published = prop is not None and prop.is_published
        fields = {
            "owner_id": owner_id, "title": title[:200], "address": address[:500],
            "status": status, "time_zone": time_zone, "version": version,
        }  # fmt: skip
        if prop is None:
            prop = Property.objects.create(id=property_id, **fields)
        else:
            Property.objects.filter(pk=prop.pk).update(updated_at=timezone.now(), **fields)
        if was_published and status != "published":
            reason = "property_deleted" if status == "deleted" else "property_unpublished"
            for visit_id in selectors.visits_upcoming_of_property(prop.pk, timezone.now()):
                visit = _locked(visit_id)
                if visit is not None and visit.status in ACTIVE:
                    _transition(visit, S.CANCELLED, actor_role="system", reason=reason)
    return True


# -- calendar feeds ----------------------------------------------------------------------
def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_rotate(*, actor) -> str:
    """Give the actor a new private feed token (the old one stops working at once);
    returns the token, which is shown once and stored only as its hash."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user_id=actor.id,
            defaults={"role": actor.role, "token_hash": feed_token_hash(token)},
        )
    return token
