"""The property search index: what search_consumer writes and search_service reads.

Both services share this package so that they never disagree about the index:

- `schema`: vocabularies, index settings and the explicit mapping;
- `documents`: the one builder from a `property-events` snapshot to an index document
  (and the validation of the snapshot);
- `availability`: room availability from `booking-events` (`inventory.changed`): its
  validation, merging it into a document, and the external version of a document;
- `indices`: index and alias names, creating an index, bootstrapping and swapping the
  alias;
- `writer`: applying snapshot events with `_bulk` and external versions;
- `client`: the process-wide Elasticsearch client;
- `testing`: snapshot/envelope factories and throwaway indices for tests.

The alias comes from settings.SEARCH_INDEX_ALIAS (default `properties`); concrete
indices are `<alias>-initial` (created by the first consumer start) and
`<alias>-<UTC timestamp>-<random>` (built by a reindex). See docs/services/search.md.
"""

DEFAULT_ALIAS = "properties"


def alias_name() -> str:
    """The alias every read and live write goes through (settings.SEARCH_INDEX_ALIAS)."""
    from django.conf import settings

    return getattr(settings, "SEARCH_INDEX_ALIAS", None) or DEFAULT_ALIAS
