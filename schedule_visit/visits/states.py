"""The visit state machine: every status change goes through `services._transition`.

    PENDING ──landlord confirms (or auto-confirm)──▶ CONFIRMED ──cancelled──▶ CANCELLED
       │ ├──landlord declines──▶ DECLINED
       │ └──cancelled (tenant, landlord, operator, property unpublished)──▶ CANCELLED
       └──(a request on an auto-confirm property is born CONFIRMED)

A reschedule keeps the visit (its id, UID and history) and is not a status change: it
emits `visit.rescheduled`; a tenant moving a CONFIRMED visit of a property without
auto-confirm sends it back to PENDING (the landlord agreed to the old time only).

A transition not in the table is a 409 `illegal_transition`, never a silent change.
"""

from __future__ import annotations

from .choices import VisitStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.DECLINED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.CANCELLED, S.PENDING}),  # PENDING: moved by the tenant
    S.DECLINED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The `visit-events` type announcing each new status (docs/contracts/visit-events.md).
EVENT_TYPES = {
    S.PENDING: "visit.requested",
    S.CONFIRMED: "visit.confirmed",
    S.DECLINED: "visit.declined",
    S.CANCELLED: "visit.cancelled",
}
RESCHEDULED = "visit.rescheduled"
REMINDER_DUE = "visit.reminder_due"

# States that hold a place (a slot, the daily cap): what the constraints count.
ACTIVE = frozenset({S.PENDING, S.CONFIRMED})


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


def can_reschedule(current: str) -> bool:
    return current in ACTIVE
