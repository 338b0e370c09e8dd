"""Vocabularies, index settings and the explicit mapping of the property index.

The Elasticsearch we run (the integration-test distribution of 8.19) has only the
server core: analyzers `standard`, `simple`, `whitespace`, `stop`, `keyword`; the
`standard` tokenizer; the `lowercase`, `stop` and `shingle` token filters; no
language analyzers or stemmers, no `edge_ngram`, no `scaled_float` or
`search_as_you_type` (mapper-extras), no painless. The mapping uses only those.
Autocomplete runs prefix and fuzzy queries on the ordinary fields: a `completion` field
(core) works too, but building its suggester structure tripled Elasticsearch's CPU per
document (measured: about 270 against 105 microseconds), and full reindex speed
matters more than the few milliseconds it would save per keystroke.
docs/services/search.md.
"""

from __future__ import annotations

from typing import Any

# Property snapshot vocabularies (docs/contracts/property-events.md).
from ..contracts.property import (  # noqa: F401 - re-exported for the search code
    AMENITIES,
    PROPERTY_TYPES,
    SEARCHABLE_STATUS,
    STATUSES,
)

LIVE_REFRESH_INTERVAL = "1s"  # new listings searchable within about a second

_KEYWORD = {"type": "keyword"}
# Facet fields: their global ordinals are built at refresh rather than by the first
# search after each refresh (the live index refreshes every second).
_FACET = {"type": "keyword", "eager_global_ordinals": True}
_TEXT = {"type": "text", "analyzer": "rentezy_text"}
_DATE = {"type": "date", "format": "strict_date_optional_time"}
# Stored in _source for display only: not searchable, no doc values.
_DISPLAY_ONLY = {"type": "keyword", "index": False, "doc_values": False}
# Bookkeeping kept in _source only: not searchable, no doc values.
_STORED_ONLY_LONG = {"type": "long", "index": False, "doc_values": False}

MAPPINGS: dict[str, Any] = {
    # No dynamic guessing: a field the builder does not know is an indexing error.
    "dynamic": "strict",
    "properties": {
        "id": _KEYWORD,
        "owner_id": _KEYWORD,
        "status": _KEYWORD,
        "searchable": {"type": "boolean"},  # status == published; every query filters on it
        # The property event version. The document's _version is this << 32 plus the
        # sum of its rooms' availability versions (search.availability.document_version).
        "version": {"type": "long"},
        # A number unique per listing (from its id): the last sort key of every search,
        # so equal prices/dates still have one order for search_after. Numeric because a
        # keyword tiebreaker made "newest first" ten times slower (ordinal lookups).
        "tiebreak": {"type": "long"},
        "title": {
            **_TEXT,
            "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
        },
        "description": _TEXT,
        "property_type": _FACET,
        "address": {
            "properties": {
                "line1": _DISPLAY_ONLY,
                "line2": _DISPLAY_ONLY,
                "locality": {
                    **_TEXT,
                    "fields": {"keyword": {**_FACET, "ignore_above": 256}},
                },
                "city": {**_FACET, "fields": {"text": _TEXT}},
                "state": _KEYWORD,
                "postal_code": _KEYWORD,
                "country": _KEYWORD,
            }
        },
        "location": {"type": "geo_point"},
        "currency": _KEYWORD,
        # `double`: scaled_float is not in this distribution; prices have two decimals
        # and stay far below 2^53, so doubles hold them exactly enough for ranges/sorts.
        # _source keeps the snapshot's decimal string.
        "monthly_price": {"type": "double"},
        "deposit": {"type": "double"},
        "bedrooms": {"type": "integer"},
        "bathrooms": {"type": "integer"},
        "area_sqft": {"type": "integer"},
        "furnished": {"type": "boolean"},
        "amenities": _FACET,
        "available_from": {"type": "date", "format": "strict_date"},
        "rooms": {
            "type": "nested",
            "properties": {
                "id": _KEYWORD,
                "name": _TEXT,
                "total_units": {"type": "integer"},
                # From the newest `inventory.changed` of the room (0 if not bookable);
                # total_units while it has none.
                "available_units": {"type": "integer"},
                # That event's version, kept so an older one never overwrites it; never
                # queried, hence not indexed.
                "availability_version": _STORED_ONLY_LONG,
                "monthly_price": {"type": "double"},
                "currency": _KEYWORD,
            },
        },
        "total_units": {"type": "integer"},
        # Units free to book: the sum of the rooms' available_units; `available=true`
        # searches filter on > 0 (docs/services/search.md, "Availability").
        "available_units": {"type": "integer"},
        "cover_photo_url": _DISPLAY_ONLY,
        "created_at": _DATE,
        "updated_at": _DATE,
        "published_at": _DATE,
    },
}

ANALYSIS: dict[str, Any] = {
    "analyzer": {
        # The standard tokenizer + lowercase: what the core offers (no stemming, no
        # ascii folding). Typo tolerance comes from fuzzy queries, not the analyzer.
        "rentezy_text": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
    }
}


def index_body(*, replicas: int, building: bool = False) -> dict[str, Any]:
    """Settings and mappings for a new concrete index.

    `building`: for a reindex, no refresh, no replicas and an asynchronous translog
    while the bulk load runs; `live_settings()` restores them before the alias moves."""
    settings: dict[str, Any] = {
        # One shard: a few hundred thousand listings are a small index, and one shard
        # keeps scores and facet counts exact and search_after cheap.
        "number_of_shards": 1,
        "number_of_replicas": 0 if building else replicas,
        "refresh_interval": "-1" if building else LIVE_REFRESH_INTERVAL,
        "analysis": ANALYSIS,
    }
    if building:
        settings["translog"] = {"durability": "async"}
    return {"settings": settings, "mappings": MAPPINGS}


def live_settings(*, replicas: int) -> dict[str, Any]:
    """The settings a built index gets back before it goes live."""
    return {
        "number_of_replicas": replicas,
        "refresh_interval": LIVE_REFRESH_INTERVAL,
        "translog": {"durability": "request"},
    }
