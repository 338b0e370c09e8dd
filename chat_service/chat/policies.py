"""Pure rules of the chat (no I/O, no ORM): what a message may hold, who may change it
and until when, and the preview its event carries."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

PREVIEW_CHARS = 140


def clean_body(body: str) -> str:
    """The text as stored: trailing and leading whitespace dropped, NUL (which
    PostgreSQL refuses in text) and other control characters but newlines and tabs
    removed. Clients render it as text, never as markup."""
    kept = "".join(
        ch for ch in body if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return kept.strip()


def body_problem(body: str, *, has_attachment: bool, max_chars: int) -> str | None:
    """Why a message's text is not acceptable, or None."""
    if len(body) > max_chars:
        return f"At most {max_chars} characters."
    if not body and not has_attachment:
        return "A message needs text or an attachment."
    return None


def edit_window_open(*, created_at: datetime, now: datetime, window_seconds: int) -> bool:
    return now - created_at <= timedelta(seconds=window_seconds)


def preview(body: str, *, attachment_kind: str | None = None) -> str:
    """A short, single-line preview for notifications (`message.sent`)."""
    line = " ".join(body.split())
    if len(line) > PREVIEW_CHARS:
        line = line[: PREVIEW_CHARS - 1].rstrip() + "…"
    if not line and attachment_kind:
        return f"[{attachment_kind}]"
    return line


def clean_filename(name: str) -> str:
    """A client's file name made safe to show (never used as a path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in ("C",)).strip()
    return base[:200] or "attachment"
