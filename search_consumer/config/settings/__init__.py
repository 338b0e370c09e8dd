"""search_consumer settings: the platform's, from the environment (docs/configuration.md),
plus the search index's (docs/services/search.md)."""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_int, env_str

globals().update(
    platform_settings(
        service="search_consumer",
        base_dir=Path(__file__).resolve().parent.parent.parent,
        apps=["indexer"],
        # search_index: the alias, the consumer group's lag and the cluster status.
        readiness=("database", "kafka", "elasticsearch", "search_index"),
        openapi=False,  # no API: a consumer with health endpoints only
        # Ready means the indexer can do its job: it needs all of them.
        required=("database", "kafka", "elasticsearch", "search_index"),
    )
)

# The alias every live write and every search goes through; concrete indices are
# `<alias>-...` (rentezy_common.search.indices). Tests use their own.
SEARCH_INDEX_ALIAS = env_str("SEARCH_INDEX_ALIAS", "properties")
# Replicas of the live index: 0 on one node (a replica could never be assigned there).
SEARCH_INDEX_REPLICAS = env_int("SEARCH_INDEX_REPLICAS", 0)
SEARCH_PROPERTY_TOPIC = env_str("SEARCH_PROPERTY_TOPIC", "property-events")
# Kafka consumer group of the live indexer (default `search_consumer.properties`); a
# second, isolated indexer (end-to-end tests, a blue/green index) uses another one.
SEARCH_CONSUMER_GROUP = env_str("SEARCH_CONSUMER_GROUP", "") or None
# Room availability (inventory.changed) comes from this topic; its consumer's group
# (default `search_consumer.availability`) is settable for the same reason.
SEARCH_BOOKING_TOPIC = env_str("SEARCH_BOOKING_TOPIC", "booking-events")
SEARCH_AVAILABILITY_GROUP = env_str("SEARCH_AVAILABILITY_GROUP", "") or None
SEARCH_REQUEST_TIMEOUT = 30.0  # seconds; bulk requests of a reindex carry thousands of docs

# The Elasticsearch client logs every request at INFO: thousands per second here.
LOGGING["loggers"]["elastic_transport"] = {"level": "WARNING"}  # noqa: F821
