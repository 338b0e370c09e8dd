"""The state machines of a lease and of an invoice: every status change goes through
`lease_transition_check` / `invoice_transition_check`.

Lease:

    upcoming ──start date reached──▶ active ──notice given / fixed term nearing end──▶ ending
       │                               │  ▲                                               │
       │                               │  └──────────renewed (new end date)────────────────┤
       │                               └──end date passed──▶ ended ◀──end date passed──────┘
       └──booking cancelled / refunded before move-in, or by hand──▶ terminated
                       (active and ending may be terminated by hand too)

Invoice (Stripe Billing's lifecycle):

    open ──part paid──▶ partially_paid ──rest paid (or credit, or a waiver)──▶ paid
      │ └──paid in full────────────────────────────────────────────────────────▲
      ├──void (charges reversed; payments back to credit)──▶ void   (also from partially_paid, paid)
      └──written off──▶ uncollectible ──paid after all──▶ paid      (also from partially_paid)

A transition not in the table is a 409 `illegal_transition`, never a silent change.
"""

from __future__ import annotations

from rentezy_common.errors import IllegalTransition

from .choices import InvoiceStatus as I
from .choices import LeaseStatus as L

LEASE_TRANSITIONS: dict[str, frozenset[str]] = {
    L.UPCOMING: frozenset({L.ACTIVE, L.TERMINATED}),
    L.ACTIVE: frozenset({L.ENDING, L.ENDED, L.TERMINATED}),
    L.ENDING: frozenset({L.ACTIVE, L.ENDED, L.TERMINATED}),
    L.ENDED: frozenset(),
    L.TERMINATED: frozenset(),
}

# The `rent-events` type announcing each new lease status (docs/contracts/rent-events.md).
LEASE_EVENT_TYPES = {
    L.UPCOMING: "lease.created",
    L.ACTIVE: "lease.activated",
    L.ENDING: "lease.ending",
    L.ENDED: "lease.ended",
    L.TERMINATED: "lease.terminated",
}

# Leases that still produce invoices.
LIVE = frozenset({L.UPCOMING, L.ACTIVE, L.ENDING})

INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    I.OPEN: frozenset({I.PARTIALLY_PAID, I.PAID, I.VOID, I.UNCOLLECTIBLE}),
    I.PARTIALLY_PAID: frozenset({I.OPEN, I.PAID, I.VOID, I.UNCOLLECTIBLE}),
    I.PAID: frozenset({I.OPEN, I.PARTIALLY_PAID, I.VOID}),
    I.UNCOLLECTIBLE: frozenset({I.PAID, I.VOID}),
    I.VOID: frozenset(),
}
# Invoices that are still collected (payments, credit, late fees, autopay, reminders).
COLLECTIBLE = frozenset({I.OPEN, I.PARTIALLY_PAID})


def lease_can_transition(current: str, target: str) -> bool:
    return target in LEASE_TRANSITIONS[current]


def invoice_can_transition(current: str, target: str) -> bool:
    return current == target or target in INVOICE_TRANSITIONS[current]


def lease_transition_check(current: str, target: str) -> None:
    if not lease_can_transition(current, target):
        raise IllegalTransition(
            f"A lease that is {current} cannot become {target}.",
            details={"status": current, "target": target},
        )


def invoice_transition_check(current: str, target: str) -> None:
    if not invoice_can_transition(current, target):
        raise IllegalTransition(
            f"An invoice that is {current} cannot become {target}.",
            details={"status": current, "target": target},
        )
