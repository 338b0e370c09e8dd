"""The Elasticsearch request of a search, built from validated parameters.

Pure functions: no client, no settings, no I/O, so every rule here (filters, facets
counted without their own filter, sorting, paging; the words and typo tolerance are in
fulltext.py) is testable without Elasticsearch (tests/test_query.py). Every query filters on
`searchable` (only published listings; the index also holds tombstones of unpublished
and deleted ones, see rentezy_common.search.documents). docs/services/search.md explains
the relevance, facet and paging rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rentezy_common.search.schema import AMENITIES

from .fulltext import query_terms, text_query

MAX_PAGE_SIZE = 50
# Elasticsearch's index.max_result_window: from + size may not pass it. Deeper results
# are reached with search_after (the cursor), which costs the same on every page.
MAX_RESULT_WINDOW = 10_000

SEARCHABLE = {"term": {"searchable": True}}
# Fixed monthly price buckets (lower bound inclusive, upper exclusive), in the
# listing's currency (INR for every listing so far).
PRICE_BUCKETS = [
    (0, 10_000),
    (10_000, 20_000),
    (20_000, 30_000),
    (30_000, 50_000),
    (50_000, 75_000),
    (75_000, 100_000),
    (100_000, None),
]
RESULT_FIELDS = [
    "id",
    "title",
    "address.city",
    "address.locality",
    "monthly_price",
    "currency",
    "bedrooms",
    "bathrooms",
    "property_type",
    "furnished",
    "amenities",
    "available_from",
    "available_units",
    "cover_photo_url",
    "location",
    "published_at",
]
# Sort clauses; each ends on `tiebreak` (a number unique per listing, derived from its
# id), so equal values still have one order: search_after needs a total order to page
# without duplicates or gaps.
_NEWEST = {"published_at": {"order": "desc", "missing": "_last"}}
_TIEBREAK = {"tiebreak": "asc"}
SORTS = {
    # Without a text query every score is equal: relevance is then "newest".
    "relevance": lambda point: [{"_score": "desc"}, _NEWEST, _TIEBREAK],
    "price_asc": lambda point: [{"monthly_price": "asc"}, _TIEBREAK],
    "price_desc": lambda point: [{"monthly_price": "desc"}, _TIEBREAK],
    "newest": lambda point: [_NEWEST, _TIEBREAK],
    "distance": lambda point: [
        {
            "_geo_distance": {
                "location": {"lat": point[0], "lon": point[1]},
                "order": "asc",
                "unit": "km",
                "distance_type": "arc",
            }
        },
        _TIEBREAK,
    ],
}


# -- the search request ------------------------------------------------------------------
@dataclass(frozen=True)
class SearchRequest:
    """What to ask Elasticsearch for one page of a search."""

    body: dict[str, Any]  # query, sort, post_filter, paging, _source
    aggs: dict[str, Any]  # the facets: sent with `body` or on their own (engine.py)
    point: tuple[float, float] | None  # the caller's position, for distances
    terms: list[str]  # the query's words, for highlighting
    page_size: int
    start: int  # offset of the page's first hit (0 when following a cursor)


def search_request(params: dict[str, Any], *, after: list[Any] | None = None) -> SearchRequest:
    """The request for validated parameters (see the API serializer); `after` is the
    sort values a cursor continues from (search_after) instead of `page`."""
    point = (params["lat"], params["lon"]) if "lat" in params else None
    sort_name = params["sort"]
    facet_filters = _facet_filters(params)

    query: dict[str, Any] = {"bool": {"filter": _filters(params, point)}}
    terms = query_terms(params.get("q") or "")
    text = text_query(params.get("q") or "")
    if text is not None:
        query["bool"]["must"] = [text[0]]
        query["bool"]["should"] = text[1]

    page_size = params["page_size"]
    # Relevance without a text query: every score is equal, so skip scoring.
    effective_sort = "newest" if sort_name == "relevance" and text is None else sort_name
    body: dict[str, Any] = {
        "query": query,
        "sort": SORTS[effective_sort](point),
        "track_total_hits": True,
        # The description only to cut highlighted fragments from (highlight.py).
        "_source": RESULT_FIELDS + (["description"] if terms else []),
    }
    if facet_filters:
        body["post_filter"] = {"bool": {"filter": _all(facet_filters)}}
    if effective_sort == "relevance":
        body["track_scores"] = True
    if after is not None:
        start = 0
        body["search_after"] = after
        body["size"] = page_size + 1  # one more tells whether a next page exists
    else:
        start = (params["page"] - 1) * page_size
        body["from"] = start
        # The exact total says whether a next page exists: no extra hit to fetch.
        body["size"] = min(page_size, MAX_RESULT_WINDOW - start)
    return SearchRequest(
        body=body,
        aggs=facet_aggregations(facet_filters),
        point=point,
        terms=terms,
        page_size=page_size,
        start=start,
    )


def _filters(params: dict[str, Any], point: tuple[float, float] | None) -> list[dict[str, Any]]:
    """The filters that narrow hits and facet counts alike."""
    filters: list[dict[str, Any]] = [SEARCHABLE]
    if point is not None and params.get("radius_km") is not None:
        filters.append(
            {
                "geo_distance": {
                    "distance": f"{params['radius_km']}km",
                    "distance_type": "arc",
                    "location": {"lat": point[0], "lon": point[1]},
                }
            }
        )
    if params.get("bedrooms_min") is not None:
        filters.append({"range": {"bedrooms": {"gte": params["bedrooms_min"]}}})
    if params.get("furnished") is not None:
        filters.append({"term": {"furnished": params["furnished"]}})
    if params.get("available"):
        filters.append({"range": {"available_units": {"gt": 0}}})
    if params.get("move_in") is not None:
        filters.append(
            {
                "bool": {
                    "should": [
                        {"range": {"available_from": {"lte": params["move_in"].isoformat()}}},
                        {"bool": {"must_not": {"exists": {"field": "available_from"}}}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    return filters


def _facet_filters(params: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The filters of the facets, by facet. They go to post_filter, so each facet can
    be counted without its own filter (see facet_aggregations)."""
    facet_filters: dict[str, list[dict[str, Any]]] = {}
    if params.get("amenities"):
        facet_filters["amenities"] = [{"term": {"amenities": a}} for a in params["amenities"]]
    if params.get("property_type"):
        facet_filters["property_types"] = [{"terms": {"property_type": params["property_type"]}}]
    if params.get("city"):
        facet_filters["cities"] = [{"terms": {"address.city": params["city"]}}]
    price = {}
    if params.get("price_min") is not None:
        price["gte"] = float(params["price_min"])
    if params.get("price_max") is not None:
        price["lte"] = float(params["price_max"])
    if price:
        facet_filters["price_ranges"] = [{"range": {"monthly_price": price}}]
    return facet_filters


# -- facets --------------------------------------------------------------------------------
def _all(facet_filters: dict[str, list[dict[str, Any]]], *, but: str | None = None) -> list:
    return [clause for name, clauses in facet_filters.items() if name != but for clause in clauses]


def facet_aggregations(facet_filters: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Facet counts over the query, each under the facet filters of the *other* facets
    (the standard post_filter pattern): choosing a property type does not hide the
    other types' counts. Amenities are all-of, so their counts stay under the amenity
    filter too: each count is what adding that amenity would leave."""

    def scoped(name: str, aggregation: dict[str, Any], *, own_filter: bool = False):
        clauses = _all(facet_filters) if own_filter else _all(facet_filters, but=name)
        return {"filter": {"bool": {"filter": clauses}}, "aggs": {"values": aggregation}}

    ranges = [
        {"key": _bucket_key(low, high), "from": low, **({"to": high} if high else {})}
        for low, high in PRICE_BUCKETS
    ]
    return {
        "amenities": scoped(
            "amenities", {"terms": {"field": "amenities", "size": len(AMENITIES)}}, own_filter=True
        ),
        "property_types": scoped(
            "property_types", {"terms": {"field": "property_type", "size": 20}}
        ),
        "cities": scoped("cities", {"terms": {"field": "address.city", "size": 20}}),
        "price_ranges": scoped(
            "price_ranges", {"range": {"field": "monthly_price", "ranges": ranges}}
        ),
    }


def _bucket_key(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"
