"""visits service settings: the platform's, from the environment (docs/configuration.md),
plus viewing hours, requests, reminders and calendars (docs/services/visits.md)."""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_int, env_str

_platform = platform_settings(
    service="visits",
    base_dir=Path(__file__).resolve().parent.parent.parent,
    # django.contrib.postgres: the exclusion constraint that refuses overlapping visits
    # (btree_gist, visits/models.py).
    apps=["django.contrib.postgres", "django_filters", "visits"],
    readiness=("database", "redis", "kafka"),
    # The operators' Django admin at /admin/ (visits/admin.py), off the gateway.
    admin=True,
)
globals().update(_platform)
PUBLIC_BASE_URL = _platform["PUBLIC_BASE_URL"]
# The admin's CSS/JS (WhiteNoise serves them from the installed apps).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

VISIT_EVENTS_TOPIC = env_str("VISIT_EVENTS_TOPIC", "visit-events")
PROPERTY_EVENTS_TOPIC = env_str("PROPERTY_EVENTS_TOPIC", "property-events")
VISITS_PROPERTY_CONSUMER_GROUP = env_str("VISITS_PROPERTY_CONSUMER_GROUP", "") or None

# Pending requests one tenant may hold for one property at a time.
VISITS_MAX_PENDING_PER_TENANT = env_int("VISITS_MAX_PENDING_PER_TENANT", 3)
# The widest window of one slots request, in days.
VISITS_MAX_SLOT_DAYS = env_int("VISITS_MAX_SLOT_DAYS", 31)
# How often beat looks for reminders that are due (seconds), and how long before a
# visit each reminder goes out (hours).
VISITS_REMINDER_SWEEP_SECONDS = env_int("VISITS_REMINDER_SWEEP_SECONDS", 60)
# A calendar feed lists visits that ended at most this many days ago, and every later one.
VISITS_FEED_PAST_DAYS = env_int("VISITS_FEED_PAST_DAYS", 30)
# The domain part of each visit's calendar UID (RFC 5545: globally unique, never changes).
VISITS_CALENDAR_UID_DOMAIN = env_str("VISITS_CALENDAR_UID_DOMAIN", "visits.rentezy")

# The OpenAPI document (rentezy_common.openapi): enumeration names.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {  # noqa: F821
    "VisitStatus": "visits.choices.VisitStatus",
}
