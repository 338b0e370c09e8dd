"""Attachment storage settings, from the environment (docs/services/chat.md).

Attachments are private to a conversation: files live under CHAT_MEDIA_ROOT and are
served by this service only to the conversation's participants (and admins), never by
a public URL.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rentezy_common.env import REQUIRED, env_int, env_str, runtime_environment


def _default_media_root(repo: Path, environ: Mapping[str, str]) -> Path:
    if runtime_environment(environ) == "test":
        return Path(tempfile.gettempdir()) / "rentezy-test-media" / "chat"
    state = Path(environ.get("RENTEZY_STATE", repo / ".rentezy"))
    return state / "state" / "media" / "chat"


def media_settings(*, repo: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    production = runtime_environment(environ) == "production"
    return {
        "CHAT_MEDIA_ROOT": env_str(
            "CHAT_MEDIA_ROOT",
            REQUIRED if production else str(_default_media_root(repo, environ)),
            environ=environ,
        ),
        # 10 MB, checked on the bytes; the gateway's route for uploads allows 11 MiB.
        "CHAT_ATTACHMENT_MAX_BYTES": env_int(
            "CHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, environ=environ
        ),
        "CHAT_ATTACHMENT_MAX_PIXELS": env_int(
            "CHAT_ATTACHMENT_MAX_PIXELS", 40_000_000, environ=environ
        ),
    }
