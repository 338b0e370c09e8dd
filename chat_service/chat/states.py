"""The report state machine: a moderator closes each report once.

    open ──resolved (action taken)──▶ resolved
      └───dismissed (nothing to do)──▶ dismissed

A transition not in the table is a 409 `illegal_transition`.
"""

from __future__ import annotations

from .choices import ReportStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.RESOLVED, S.DISMISSED}),
    S.RESOLVED: frozenset(),
    S.DISMISSED: frozenset(),
}

# The `chat-events` type announcing each status (docs/contracts/chat-events.md).
EVENT_TYPES = {
    S.OPEN: "user.reported",
    S.RESOLVED: "report.resolved",
    S.DISMISSED: "report.dismissed",
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]
