"""property service settings: the platform's, from the environment (docs/configuration.md),
plus photo storage and listing limits (config/settings/media.py, docs/services/property.md)."""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_str

from .media import media_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

globals().update(
    platform_settings(
        service="property",
        base_dir=BASE_DIR,
        apps=["django.contrib.postgres", "django_filters", "properties"],
        readiness=("database", "redis", "kafka"),
        # The operators' Django admin at /admin/ (properties/admin.py), off the gateway,
        # with its own staff users (docs/services/property.md, "Django admin").
        admin=True,
    )
)
_media = media_settings(repo=BASE_DIR.parent)
globals().update(_media)
STORAGES = {
    **_media["STORAGES"],  # photos: "default"
    # The admin's CSS/JS (WhiteNoise serves them from the installed apps).
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Where property representations go (docs/contracts/property-events.md). Only an isolated
# copy of the platform (tests/e2e) points it elsewhere.
PROPERTY_EVENTS_TOPIC = env_str("PROPERTY_EVENTS_TOPIC", "property-events")

# The OpenAPI document (rentezy_common.openapi): names of the enumerations.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {  # noqa: F821
    "PropertyStatus": "properties.choices.PropertyStatus",
    "PropertyType": "properties.choices.PropertyType",
}
