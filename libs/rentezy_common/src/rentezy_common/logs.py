"""Structured JSON logs that carry the request id.

One JSON object per line: time, level, logger, message, service, request_id, plus any
`extra={...}` fields and the formatted exception. The request id is kept in a context
variable, so it follows the request through sync code, async code and the events it
publishes (the outbox copies it into the envelope's `trace`).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "rentezy_request_id", default=None
)

# Accept an upstream id only if it is short and plain, so a client cannot inject
# newlines or megabytes into every log line.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured duplicate of the message
}


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """The caller's request id if it is safe to log, else a fresh one."""
    if value and _SAFE_REQUEST_ID.match(value):
        return value
    return new_request_id()


def get_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


# --- secrets in paths -----------------------------------------------------------------
# Some URLs carry a secret (a private calendar feed's token: calendar apps cannot send a
# header). settings.LOG_REDACTED_PATHS lists them as patterns in which `{secret}` stands
# for one whole path segment; wherever such a path appears in a log line (the access
# logs of the gateway and the services, a warning, Django's error for a 500), that
# segment is written as "[redacted]".
SECRET = "{secret}"  # noqa: S105 - a placeholder, not a password
REDACTED = "[redacted]"
DEFAULT_REDACTED_PATHS = (
    "/api/visits/feeds/{secret}",
    # One-click unsubscribe (RFC 8058): the mail client POSTs the link, no login.
    "/api/notifications/unsubscribe/{secret}",
)
_SEGMENT = r"[^/?#\s\"']+"


def path_redactor(patterns: Sequence[str]) -> Callable[[str], str]:
    """A function that masks the `{secret}` segment of every pattern in a text."""
    alternatives, befores = [], []
    for pattern in patterns:
        if pattern.count(SECRET) != 1 or not pattern.startswith("/"):
            raise ValueError(f"redacted path {pattern!r}: a path with one {SECRET} segment")
        before, after = pattern.split(SECRET)
        alternatives.append(f"(?<={re.escape(before)}){_SEGMENT}(?={re.escape(after)})")
        befores.append(before)
    if not alternatives:
        return lambda text: text
    regex = re.compile("|".join(alternatives))
    # A text that contains none of the fixed parts before a secret cannot hold one: a
    # substring test per pattern is several times cheaper than the regex, and nearly
    # every log line (each access line) takes this way.
    prefixes = tuple(befores)

    def redactor(text: str) -> str:
        for prefix in prefixes:
            if prefix in text:
                return regex.sub(REDACTED, text)
        return text

    return redactor


# The redactor of the settings' patterns, rebuilt when they change (a test's
# override_settings puts another list in their place): one identity check per call
# instead of building a tuple and hashing it on every log line.
_current: tuple[object, Callable[[str], str]] = (None, lambda text: text)


def redact(text: str) -> str:
    """`text` with the secret segments of settings.LOG_REDACTED_PATHS masked."""
    global _current
    from django.conf import settings

    if not settings.configured:
        patterns = DEFAULT_REDACTED_PATHS
    else:
        patterns = getattr(settings, "LOG_REDACTED_PATHS", DEFAULT_REDACTED_PATHS)
    source, redactor = _current
    if source is not patterns:
        redactor = path_redactor(tuple(patterns))
        _current = (patterns, redactor)
    return redactor(text)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "service": self.service,
        }
        request_id = get_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exc_info"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(*, service: str, level: str = "INFO") -> dict[str, Any]:
    """A dictConfig for Django's LOGGING: everything as JSON on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "service": service}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json"},
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Django logs every 4xx as a warning with the full request; our access log
            # already records it once, with the request id.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
            "kafka": {"level": "WARNING"},
        },
    }
