"""The property state machine: every status change goes through `transition_check`.

    DRAFT ──publish──▶ PUBLISHED ──unpublish──▶ ARCHIVED
                           ▲                        │
                           └───────publish──────────┘
    DRAFT | PUBLISHED | ARCHIVED ──delete (soft)──▶ DELETED (never visible again)

A change not in the table is a 409 `illegal_transition` whose details name the current
status, the target and the statuses it may be reached from. Publishing also needs a
complete listing (properties.services: 409 `not_publishable`).
"""

from __future__ import annotations

from rentezy_common.errors import IllegalTransition

from .choices import PropertyStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.DELETED}),
    S.PUBLISHED: frozenset({S.ARCHIVED, S.DELETED}),
    S.ARCHIVED: frozenset({S.PUBLISHED, S.DELETED}),
    S.DELETED: frozenset(),
}

# The `property-events` type announcing each new status
# (docs/contracts/property-events.md); other changes are `property.updated`.
EVENT_TYPES = {
    S.PUBLISHED: "property.published",
    S.ARCHIVED: "property.unpublished",
    S.DELETED: "property.deleted",
}
CREATED = "property.created"
UPDATED = "property.updated"

# What the API calls each target, for the error message.
_VERBS = {S.PUBLISHED: "published", S.ARCHIVED: "unpublished", S.DELETED: "deleted"}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


def reachable_from(target: str) -> list[str]:
    return [status for status, targets in TRANSITIONS.items() if target in targets]


def transition_check(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise IllegalTransition(
            f"A {current} property cannot be {_VERBS[target]}.",
            details={"status": current, "target": target, "allowed_from": reachable_from(target)},
        )
