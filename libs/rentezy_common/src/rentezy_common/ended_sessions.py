"""Sessions auth_service ended (`session.revoked`), as a real-time service remembers them.

The gateway caches a token's introspection for a few seconds, so a socket opened just
after a logout or a password change can still arrive with a valid-looking identity. A
service that holds sockets (chat_service, notification_service) keeps a table of ended
sessions, subclassing `EndedSessionBase`, records each `session.revoked` with
`session_ended()` and refuses a socket whose session `session_is_ended()`. Rows outlive
any access token (the retention the caller passes) and are then deleted, a batch at a
time, as new ones arrive.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models

from .retention import delete_older_than


class EndedSessionBase(models.Model):
    session_id = models.CharField(max_length=64, primary_key=True)
    user_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=32, blank=True, default="")
    revoked_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"session {self.session_id} ({self.reason})"


def session_ended(
    model: type[EndedSessionBase], *, user_id: str, session_id: str, reason: str,
    retention_seconds: int,
) -> None:  # fmt: skip
    """Remember that `session_id` ended (idempotent) and forget those past retention."""
    model.objects.get_or_create(
        session_id=session_id, defaults={"user_id": user_id, "reason": reason}
    )
    delete_older_than(
        model._meta.db_table,
        "revoked_at",
        timedelta(seconds=retention_seconds),
        key="session_id",
        limit=1000,
    )


def session_is_ended(model: type[EndedSessionBase], session_id: str | None) -> bool:
    return bool(session_id) and model.objects.filter(pk=session_id).exists()
