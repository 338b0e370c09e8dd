"""The delivery state machine: every status change of a Delivery goes through
`services` with `can_transition`.

    QUEUED ──the channel took it────────────────▶ SENT
      │ ├──server down / 4xx: attempts += 1, due later (backoff) ──▶ QUEUED
      │ ├──attempts exhausted, or no address ───▶ FAILED
      │ ├──recipient refused for good (5xx) ────▶ BOUNCED
      │ └──preference off, message no longer true, user inactive ──▶ SUPPRESSED
      (SENT, FAILED, BOUNCED, SUPPRESSED are final)

Only a QUEUED delivery is ever sent, and sending holds the delivery's row lock from
the check to the commit that records SENT: a second task, a sweeper or a retry for the
same delivery skips it (SKIP LOCKED) or finds it final.
"""

from __future__ import annotations

from .choices import DeliveryStatus as D

TRANSITIONS: dict[str, frozenset[str]] = {
    D.QUEUED: frozenset({D.QUEUED, D.SENT, D.FAILED, D.BOUNCED, D.SUPPRESSED}),
    D.SENT: frozenset(),
    D.FAILED: frozenset(),
    D.BOUNCED: frozenset(),
    D.SUPPRESSED: frozenset(),
}

FINAL = frozenset({D.SENT, D.FAILED, D.BOUNCED, D.SUPPRESSED})


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]
