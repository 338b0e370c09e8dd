"""Settings of the library's own test project: a service like the others, outside the
registry, with a small app whose handlers have observable effects."""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.platform import ServiceSpec

globals().update(
    platform_settings(
        service="libtest",
        spec=ServiceSpec("libtest", "libs/rentezy_common", 0, redis_db=10),
        base_dir=Path(__file__).resolve().parent,
        apps=["tests.testapp"],
    )
)
ROOT_URLCONF = "tests.testproject.urls"
RENTEZY_CONSUMERS = "tests.testproject.consumers.CONSUMERS"
