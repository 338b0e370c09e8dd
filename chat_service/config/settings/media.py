"""Attachment storage settings, from the environment (docs/services/chat.md): the
platform's `<NAME>_MEDIA_*` storage (rentezy_common.media), filesystem or S3.

Attachments are private to a conversation: they are never given a public URL, and this
service streams them to the conversation's participants (and admins) only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rentezy_common.env import env_int
from rentezy_common.media import media_storage


def media_settings(*, repo: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    backend, storage = media_storage("CHAT", repo=repo, environ=environ, subdir="chat")
    return {
        "CHAT_MEDIA_STORAGE": backend,
        "CHAT_MEDIA_DEFAULT_STORAGE": storage,
        # 10 MB, checked on the bytes; the gateway's route for uploads allows 11 MiB.
        "CHAT_ATTACHMENT_MAX_BYTES": env_int(
            "CHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, environ=environ
        ),
        # Decoded images: also the decompression-bomb guard.
        "CHAT_ATTACHMENT_MAX_PIXELS": env_int(
            "CHAT_ATTACHMENT_MAX_PIXELS", 40_000_000, environ=environ
        ),
    }
