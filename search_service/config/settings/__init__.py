"""search service settings: the platform's, from the environment (docs/configuration.md),
plus the search index's (docs/services/search.md)."""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_bool, env_str

globals().update(
    platform_settings(
        service="search",
        base_dir=Path(__file__).resolve().parent.parent.parent,
        apps=["property_search"],
        readiness=("database", "redis", "elasticsearch"),
    )
)

# The alias search_consumer writes and this service reads (rentezy_common.search).
SEARCH_INDEX_ALIAS = env_str("SEARCH_INDEX_ALIAS", "properties")
# Seconds. A search takes milliseconds; a cluster that needs more is in trouble, and a
# quick 503 serves the caller better than a gunicorn worker stuck on it.
SEARCH_REQUEST_TIMEOUT = 5.0
# A search running alone in its process asks for hits and facets in two parallel
# requests (property_search.engine.search_with_facets); off: always one request.
SEARCH_PARALLEL_FACETS = env_bool("SEARCH_PARALLEL_FACETS", True)

# The Elasticsearch client logs every request at INFO; our access log has the request.
LOGGING["loggers"]["elastic_transport"] = {"level": "WARNING"}  # noqa: F821
