"""notification service settings: the platform's, from the environment
(docs/configuration.md), plus the channel layer, SMTP, email retries and the chat digest
(docs/services/notifications.md)."""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.env import REQUIRED, env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_platform = platform_settings(
    service="notification",
    base_dir=BASE_DIR,
    apps=["channels", "notifications"],
    readiness=("database", "redis", "kafka"),
    # The operators' Django admin at /admin/ (notifications/admin.py): deliveries and
    # dead letters, off the gateway, with its own staff users.
    admin=True,
)
globals().update(_platform)
_production = _platform["RENTEZY_ENV"] == "production"
ASGI_APPLICATION = "config.asgi.application"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Email templates (notifications/templates/) next to the admin's.
TEMPLATES[0]["OPTIONS"]["autoescape"] = True  # noqa: F821

# The channel layer only wakes sockets up (PostgreSQL is the inbox): Redis pub/sub.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": _platform["REDIS_URL"],
                    "socket_connect_timeout": 0.5,
                    "socket_timeout": 2,
                }
            ],
            "prefix": "notify",
        },
    }
}

# Topics (an isolated copy of the platform, tests/e2e, points them elsewhere) and the
# consumer groups (default "notification.<consumer>").
USER_EVENTS_TOPIC = env_str("USER_EVENTS_TOPIC", "user-events")
PROPERTY_EVENTS_TOPIC = env_str("PROPERTY_EVENTS_TOPIC", "property-events")
BOOKING_EVENTS_TOPIC = env_str("BOOKING_EVENTS_TOPIC", "booking-events")
RENT_EVENTS_TOPIC = env_str("RENT_EVENTS_TOPIC", "rent-events")
VISIT_EVENTS_TOPIC = env_str("VISIT_EVENTS_TOPIC", "visit-events")
CHAT_EVENTS_TOPIC = env_str("CHAT_EVENTS_TOPIC", "chat-events")
NOTIFICATION_DIRECTORY_CONSUMER_GROUP = env_str("NOTIFICATION_DIRECTORY_CONSUMER_GROUP", "") or None
NOTIFICATION_ACTIVITY_CONSUMER_GROUP = env_str("NOTIFICATION_ACTIVITY_CONSUMER_GROUP", "") or None
NOTIFICATION_CHAT_CONSUMER_GROUP = env_str("NOTIFICATION_CHAT_CONSUMER_GROUP", "") or None

# SMTP: the dev server of scripts/infra/smtp.sh on one machine; production says where.
NOTIFICATION_SMTP_HOST = env_str("SMTP_HOST", REQUIRED if _production else "127.0.0.1")
NOTIFICATION_SMTP_PORT = env_int("SMTP_PORT", 1025)
NOTIFICATION_SMTP_USER = env_str("SMTP_USER", "")
# A relay password is not ours to judge (no dev marker, no length rule): env_str.
NOTIFICATION_SMTP_PASSWORD = env_str("SMTP_PASSWORD", "")
NOTIFICATION_SMTP_STARTTLS = env_bool("SMTP_STARTTLS", _production)
# A server that does not answer within this is "down" for this attempt (seconds).
NOTIFICATION_SMTP_TIMEOUT_SECONDS = env_int("SMTP_TIMEOUT_SECONDS", 10)
NOTIFICATION_EMAIL_FROM = env_str("NOTIFICATION_EMAIL_FROM", "RentEzy <no-reply@rentezy.local>")
NOTIFICATION_MESSAGE_ID_DOMAIN = env_str("NOTIFICATION_MESSAGE_ID_DOMAIN", "notifications.rentezy")
# Retries: attempts before a delivery is FAILED, the first delay (doubling) and its cap,
# and how long a queued attempt may wait for a worker before the sweeper queues it
# again (seconds). 10 attempts at 10 s doubling, capped at 10 min: about an hour.
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 10)
NOTIFICATION_EMAIL_RETRY_SECONDS = env_int("NOTIFICATION_EMAIL_RETRY_SECONDS", 10)
NOTIFICATION_EMAIL_RETRY_MAX_SECONDS = env_int("NOTIFICATION_EMAIL_RETRY_MAX_SECONDS", 600)
NOTIFICATION_EMAIL_REQUEUE_SECONDS = env_int("NOTIFICATION_EMAIL_REQUEUE_SECONDS", 120)
NOTIFICATION_SWEEP_SECONDS = env_int("NOTIFICATION_SWEEP_SECONDS", 15)
# One-click unsubscribe links stay valid this long (days).
NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS = env_int("NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS", 90)
# Chat digest: messages unread this long (minutes) become one email per recipient; how
# often to look (seconds), and how many messages one email lists.
NOTIFICATION_CHAT_DIGEST_MINUTES = env_int("NOTIFICATION_CHAT_DIGEST_MINUTES", 15)
NOTIFICATION_CHAT_DIGEST_CHECK_SECONDS = env_int("NOTIFICATION_CHAT_DIGEST_CHECK_SECONDS", 60)
NOTIFICATION_CHAT_DIGEST_ITEMS = env_int("NOTIFICATION_CHAT_DIGEST_ITEMS", 10)
# How long an ended session is remembered (a socket it opens later is refused): longer
# than any access token lives.
NOTIFICATION_REVOKED_SESSION_RETENTION_SECONDS = env_int(
    "NOTIFICATION_REVOKED_SESSION_RETENTION_SECONDS", 24 * 3600
)

SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {  # noqa: F821
    "NotificationCategory": "notifications.choices.Category",
}
