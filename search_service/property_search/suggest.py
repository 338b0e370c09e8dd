"""Autocomplete: cities, localities and listing titles that complete what was typed.

One `_msearch` with two searches: listing titles (best match first, one per distinct
title), and the cities and localities of matching listings (most listings first). Places
come first but titles keep most of the ten slots. Each word typed so far matches as a
prefix (the last one possibly unfinished), or the whole input with typos.
"""

from __future__ import annotations

from typing import Any

from rentezy_common.search import alias_name

from .engine import multi_search
from .query import SEARCHABLE

MAX_SUGGESTIONS = 10
PLACE_SLOTS = 4  # places first, but titles keep most of the list


def _prefix_or_fuzzy(field: str, q: str) -> dict[str, Any]:
    """Words so far, the last one possibly unfinished (prefix); or the whole input with
    typos (fuzzy), for a word typed out but misspelt."""
    return {
        "bool": {
            "should": [
                {"match_bool_prefix": {field: {"query": q, "operator": "and"}}},
                {"match": {field: {"query": q, "operator": "and", "fuzziness": "AUTO"}}},
            ],
            "minimum_should_match": 1,
        }
    }


def suggestion_list(q: str) -> list[dict[str, Any]]:
    """Up to 10 distinct completions of `q`: cities and localities (most listings
    first), then listing titles (best match first), each with its kind."""
    titles, places = multi_search("suggest", suggest_searches(q, index=alias_name()))
    return suggestions(titles, places)


def suggest_searches(q: str, *, index: str) -> list[dict[str, Any]]:
    """The `_msearch` body: a header and a search for titles, then for places."""
    city_query = _prefix_or_fuzzy("address.city.text", q)
    locality_query = _prefix_or_fuzzy("address.locality", q)
    return [
        {"index": index},
        {
            "size": MAX_SUGGESTIONS,
            "query": {"bool": {"filter": [SEARCHABLE], "must": [_prefix_or_fuzzy("title", q)]}},
            "collapse": {"field": "title.keyword"},  # one suggestion per distinct title
            "_source": ["id", "title"],
        },
        {"index": index},
        {
            "size": 0,
            "query": {
                "bool": {
                    "filter": [SEARCHABLE],
                    "should": [city_query, locality_query],
                    "minimum_should_match": 1,
                }
            },
            "aggs": {
                "cities": {
                    "filter": city_query,
                    "aggs": {"values": {"terms": {"field": "address.city", "size": 10}}},
                },
                "localities": {
                    "filter": locality_query,
                    "aggs": {
                        "values": {"terms": {"field": "address.locality.keyword", "size": 10}}
                    },
                },
            },
        },
    ]


def suggestions(
    titles_response: dict[str, Any], places_response: dict[str, Any]
) -> list[dict[str, Any]]:
    """The answers of `suggest_searches` as the list the API returns."""
    places = [
        {"text": bucket["key"], "kind": kind}
        for kind, agg in (("city", "cities"), ("locality", "localities"))
        for bucket in places_response["aggregations"][agg]["values"]["buckets"]
    ]
    titles = [
        {"text": hit["_source"]["title"], "kind": "title", "id": hit["_source"]["id"]}
        for hit in titles_response["hits"]["hits"]
    ]
    places = _distinct(places)
    titles = _distinct(titles)
    chosen = places[:PLACE_SLOTS] + titles
    chosen += places[PLACE_SLOTS:]
    return chosen[:MAX_SUGGESTIONS]


def _distinct(suggestions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, unique = set(), []
    for suggestion in suggestions:
        key = (suggestion["kind"], suggestion["text"].casefold())
        if key not in seen:
            seen.add(key)
            unique.append(suggestion)
    return unique
