"""chat service settings: the platform's, from the environment (docs/configuration.md),
plus the channel layer, attachments and the chat's limits (docs/services/chat.md)."""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_int, env_str

from .media import media_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_platform = platform_settings(
    service="chat",
    base_dir=BASE_DIR,
    apps=["channels", "chat"],
    readiness=("database", "redis", "kafka"),
    # The operators' Django admin at /admin/ (chat/admin.py): reports, conversations
    # (read-only), off the gateway, with its own staff users.
    admin=True,
)
globals().update(_platform)
_media = media_settings(repo=BASE_DIR.parent)
globals().update(_media)
STORAGES = {
    "default": _media["CHAT_MEDIA_DEFAULT_STORAGE"],  # attachments (chat/attachments.py)
    # The admin's CSS/JS (WhiteNoise serves them from the installed apps).
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ASGI_APPLICATION = "config.asgi.application"

# The channel layer only wakes sockets up (PostgreSQL is the log): Redis pub/sub, one
# subscription per group per process, nothing stored. Its own Redis database number is
# the service's (REDIS_URL).
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [
                # A dead Redis must fail a publish fast (the socket finds the change in
                # the database later), not hold a request.
                {
                    "address": _platform["REDIS_URL"],
                    "socket_connect_timeout": 0.5,
                    "socket_timeout": 2,
                }
            ],
            "prefix": "chat",
        },
    }
}

# Topics (an isolated copy of the platform, tests/e2e, points them elsewhere) and the
# consumer groups (default "chat.<consumer>").
CHAT_EVENTS_TOPIC = env_str("CHAT_EVENTS_TOPIC", "chat-events")
PROPERTY_EVENTS_TOPIC = env_str("PROPERTY_EVENTS_TOPIC", "property-events")
BOOKING_EVENTS_TOPIC = env_str("BOOKING_EVENTS_TOPIC", "booking-events")
VISIT_EVENTS_TOPIC = env_str("VISIT_EVENTS_TOPIC", "visit-events")
USER_EVENTS_TOPIC = env_str("USER_EVENTS_TOPIC", "user-events")
CHAT_DIRECTORY_CONSUMER_GROUP = env_str("CHAT_DIRECTORY_CONSUMER_GROUP", "") or None
CHAT_SESSIONS_CONSUMER_GROUP = env_str("CHAT_SESSIONS_CONSUMER_GROUP", "") or None

# Messages: characters of text, and the author's window to edit or delete (seconds).
CHAT_MESSAGE_MAX_CHARS = env_int("CHAT_MESSAGE_MAX_CHARS", 4000)
CHAT_EDIT_WINDOW_SECONDS = env_int("CHAT_EDIT_WINDOW_SECONDS", 15 * 60)
# Per-user send limit across every socket, request and process: N messages per window.
CHAT_SEND_LIMIT = env_int("CHAT_SEND_LIMIT", 30)
CHAT_SEND_LIMIT_WINDOW_SECONDS = env_int("CHAT_SEND_LIMIT_WINDOW_SECONDS", 10)
# Sockets: the heartbeat clients are asked for, presence's lifetime without one, one
# typing frame per conversation per this many seconds (the rest are dropped), frames a
# socket may send per second (burst: 4 seconds' worth), and a slow client's allowance:
# frames waiting for it, and seconds a resume may wait for it to read.
CHAT_HEARTBEAT_SECONDS = env_int("CHAT_HEARTBEAT_SECONDS", 25)
CHAT_PRESENCE_TTL_SECONDS = env_int("CHAT_PRESENCE_TTL_SECONDS", 60)
CHAT_TYPING_INTERVAL_SECONDS = env_int("CHAT_TYPING_INTERVAL_SECONDS", 2)
CHAT_FRAMES_PER_SECOND = env_int("CHAT_FRAMES_PER_SECOND", 10)
CHAT_SOCKET_QUEUE_FRAMES = env_int("CHAT_SOCKET_QUEUE_FRAMES", 1000)
CHAT_SOCKET_SEND_TIMEOUT_SECONDS = env_int("CHAT_SOCKET_SEND_TIMEOUT_SECONDS", 10)
# Rows per database read when a socket resumes or fills a gap.
CHAT_RESUME_BATCH = env_int("CHAT_RESUME_BATCH", 500)
# Revoked sessions are remembered this long: past it, the session's access tokens
# have expired (auth's AUTH_ACCESS_TOKEN_SECONDS, 15 minutes) and cannot open a socket.
CHAT_REVOKED_SESSION_RETENTION_SECONDS = env_int(
    "CHAT_REVOKED_SESSION_RETENTION_SECONDS", 24 * 3600
)

SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {  # noqa: F821
    "ReportReason": "chat.choices.ReportReason",
    "ReportStatus": "chat.choices.ReportStatus",
    "ParticipantRole": "chat.choices.ParticipantRole",
}
