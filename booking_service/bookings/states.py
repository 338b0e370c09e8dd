"""The booking state machine: every status change goes through `transition`.

    PENDING ──paid in time──────────▶ CONFIRMED ──cancelled (refund by policy)──▶ CANCELLED
       │ ├──hold expired / session expired──▶ EXPIRED ──paid late, units free──▶ CONFIRMED
       │ │                                       └──paid late, sold out────────▶ REFUNDED
       │ ├──cancelled by tenant/landlord───▶ CANCELLED ──paid anyway──────────▶ REFUNDED
       │ └──asynchronous payment failed────▶ FAILED ──paid after all──▶ CONFIRMED | REFUNDED

A transition not in the table is a 409 `illegal_transition`, never a silent change.
"""

from __future__ import annotations

from .models import BookingStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.EXPIRED, S.CANCELLED, S.FAILED}),
    S.EXPIRED: frozenset({S.CONFIRMED, S.REFUNDED}),
    S.FAILED: frozenset({S.CONFIRMED, S.REFUNDED}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.CONFIRMED: frozenset({S.CANCELLED}),
    S.REFUNDED: frozenset(),
}

# The `booking-events` type announcing each new status (docs/contracts/booking-events.md).
EVENT_TYPES = {
    S.PENDING: "booking.held",
    S.CONFIRMED: "booking.confirmed",
    S.EXPIRED: "booking.expired",
    S.CANCELLED: "booking.cancelled",
    S.REFUNDED: "booking.refunded",
    S.FAILED: "booking.payment_failed",
}

# States holding units: what `available + held + confirmed = total` counts.
HOLDS_UNITS = frozenset({S.PENDING, S.CONFIRMED})


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]
