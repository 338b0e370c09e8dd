"""search_consumer settings: the platform's, from the environment (docs/configuration.md)."""

from pathlib import Path

from rentezy_common.conf import platform_settings

globals().update(
    platform_settings(
        service="search_consumer",
        base_dir=Path(__file__).resolve().parent.parent.parent,
        apps=[],
        readiness=("database", "kafka", "elasticsearch"),
    )
)
