from django.apps import AppConfig


class IndexerConfig(AppConfig):
    """Feeds the property search index from `property-events`."""

    name = "indexer"

    def ready(self) -> None:
        from rentezy_common.health import register_check

        from .health import check_search_index

        register_check("search_index", check_search_index)
