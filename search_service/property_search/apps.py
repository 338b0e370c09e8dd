from django.apps import AppConfig


class PropertySearchConfig(AppConfig):
    """Property search and autocomplete over the Elasticsearch index (read only)."""

    name = "property_search"
