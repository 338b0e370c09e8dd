"""Reads of the property index: search with facets and paging, and autocomplete.

Every query filters on `searchable` (only published listings; the index also holds
tombstones of unpublished and deleted ones, see rentezy_common.search.documents).
docs/services/search.md explains the relevance, facet and paging rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from elasticsearch import NotFoundError

from rentezy_common.errors import ApiError
from rentezy_common.search import alias_name
from rentezy_common.search.client import get_client, is_unavailable
from rentezy_common.search.schema import AMENITIES

from .highlight import Matcher, highlight

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 50
# Elasticsearch's index.max_result_window: from + size may not pass it. Deeper results
# are reached with search_after (the cursor), which costs the same on every page.
MAX_RESULT_WINDOW = 10_000
MAX_QUERY_TERMS = 10
EARTH_RADIUS_KM = 6371.0088  # mean radius; what Elasticsearch's arc distance uses

SEARCHABLE = {"term": {"searchable": True}}
# Title first: a match there says most about the listing; place names next.
TEXT_FIELDS = ["title^3", "address.city.text^2", "address.locality^2", "description"]
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


class SearchUnavailable(ApiError):
    status_code = 503
    code = "search_unavailable"
    message = "Search is unavailable right now; try again shortly."


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the sort values of the last result (search_after),
    bound to the search it came from (sort and a fingerprint of the filters)."""

    sort: str
    after: list[Any]
    fingerprint: str

    def encode(self) -> str:
        raw = orjson.dumps({"s": self.sort, "a": self.after, "f": self.fingerprint})
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = orjson.loads(raw)
            cursor = cls(sort=data["s"], after=data["a"], fingerprint=data["f"])
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise InvalidCursor("Not a cursor from this API.") from None
        if (
            not isinstance(cursor.after, list)
            or not cursor.after
            or not all(isinstance(v, str | int | float) for v in cursor.after)
            or cursor.sort not in SORTS
        ):
            raise InvalidCursor("Not a cursor from this API.")
        return cursor


def _fingerprint(params: dict[str, Any]) -> str:
    """What a cursor must agree on with the request that follows it."""
    keys = (
        "q",
        "lat",
        "lon",
        "radius_km",
        "price_min",
        "price_max",
        "bedrooms_min",
        "amenities",
        "property_type",
        "city",
        "furnished",
        "available",
        "move_in",
        "sort",
    )
    normal = {key: str(params.get(key)) for key in keys}
    return hashlib.sha256(orjson.dumps(normal, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def _execute(request: str, call):
    """Run an Elasticsearch call; unavailable (down, overloaded, alias missing) -> 503."""
    try:
        return call()
    except Exception as exc:
        if is_unavailable(exc) or isinstance(exc, NotFoundError):
            logger.warning("%s: Elasticsearch unavailable: %r", request, exc)
            raise SearchUnavailable() from exc
        raise


# -- full-text ---------------------------------------------------------------------------
# Lucene's English stop words (Elasticsearch's `_english_` list). "flat for students"
# means flat and students: "for" would otherwise count as a matched word in nearly every
# description (with its typo variants: "form", "fort", "four"...), letting listings
# that merely contain it through and making the query scan most of the index.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


def query_terms(q: str) -> list[str]:
    """Words of the query, roughly as the standard tokenizer splits them, without stop
    words (unless the query is nothing but stop words)."""
    words = re.findall(r"\w+", q.lower())
    content = [word for word in words if word not in STOP_WORDS]
    return (content or words)[:MAX_QUERY_TERMS]


def text_query(q: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(must, should) clauses for `q`, or None if it has no words.

    Each word must match some field (title, city, locality, description), with typo
    tolerance (`fuzziness: AUTO`: 1 edit from 3 letters, 2 from 6; the first letter
    must match), so "apartmnet in bengalru" finds an apartment in Bengaluru even though
    the words sit in different fields. Words with digits ("2bhk") match exactly. With
    more than two words, three quarters must match. Exact words and the phrase score
    higher than typo matches."""
    terms = query_terms(q)
    if not terms:
        return None
    per_term = [
        {
            "multi_match": {
                "query": term,
                "fields": TEXT_FIELDS,
                "type": "best_fields",
                "fuzziness": 0 if any(ch.isdigit() for ch in term) else "AUTO",
                "prefix_length": 1,
                "max_expansions": 50,
            }
        }
        for term in terms
    ]
    must = {"bool": {"should": per_term, "minimum_should_match": "2<75%"}}
    phrase = " ".join(terms)
    should = [
        # Every word present exactly, wherever (fields taken as one): beats typo matches.
        {
            "multi_match": {
                "query": phrase,
                "fields": TEXT_FIELDS,
                "type": "cross_fields",
                "operator": "and",
                "boost": 2,
            }
        },
        {
            "multi_match": {
                "query": phrase,
                "fields": ["title^2", "description"],
                "type": "phrase",
                "slop": 2,
                "boost": 3,
            }
        },
    ]
    return must, should


# -- search ------------------------------------------------------------------------------
def search_properties(params: dict[str, Any]) -> dict[str, Any]:
    """The search endpoint's response body for validated parameters (see the API
    serializer): results, count, facets, next_cursor."""
    point = (params["lat"], params["lon"]) if "lat" in params else None
    sort_name = params["sort"]

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

    # Facet filters go to post_filter, so each facet can be counted without its own
    # filter (see facet_aggregations).
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

    query: dict[str, Any] = {"bool": {"filter": filters}}
    terms = query_terms(params.get("q") or "")
    matcher = Matcher(terms)  # one word cache for the whole page of highlights
    text = text_query(params.get("q") or "")
    if text is not None:
        query["bool"]["must"] = [text[0]]
        query["bool"]["should"] = text[1]

    page_size = params["page_size"]
    cursor: Cursor | None = params.get("cursor")
    fingerprint = _fingerprint(params)
    # Relevance without a text query: every score is equal, so skip scoring.
    effective_sort = "newest" if sort_name == "relevance" and text is None else sort_name
    body: dict[str, Any] = {
        "query": query,
        "sort": SORTS[effective_sort](point),
        "track_total_hits": True,
        # The description only to cut highlighted fragments from (highlight.py).
        "_source": RESULT_FIELDS + (["description"] if terms else []),
    }
    aggs = facet_aggregations(facet_filters)
    if facet_filters:
        body["post_filter"] = {"bool": {"filter": _all(facet_filters)}}
    if effective_sort == "relevance":
        body["track_scores"] = True
    if cursor is not None:
        if cursor.sort != sort_name or cursor.fingerprint != fingerprint:
            raise ApiError(
                "Invalid query parameters.",
                code="invalid_parameter",
                details={"cursor": ["This cursor belongs to a different search."]},
            )
        start = 0
        body["search_after"] = cursor.after
        body["size"] = page_size + 1  # one more tells whether a next page exists
    else:
        start = (params["page"] - 1) * page_size
        body["from"] = start
        # The exact total says whether a next page exists: no extra hit to fetch.
        body["size"] = min(page_size, MAX_RESULT_WINDOW - start)

    response, aggregations = _search_with_facets(body, aggs)
    hits = response["hits"]["hits"]
    total = response["hits"]["total"]["value"]
    page_hits = hits[:page_size]
    has_more = len(hits) > page_size or (cursor is None and start + page_size < total)
    next_cursor = None
    if has_more and page_hits:
        next_cursor = Cursor(sort_name, page_hits[-1]["sort"], fingerprint).encode()
    return {
        "count": total,
        "page": None if cursor is not None else params["page"],
        "page_size": page_size,
        "results": [_result(hit, point, matcher) for hit in page_hits],
        "facets": _facets(aggregations),
        "next_cursor": next_cursor,
    }


# Searches this process is running right now (gunicorn threads).
_running = 0
_running_lock = threading.Lock()
_facet_requests = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")


def _search_with_facets(body: dict[str, Any], aggs: dict[str, Any]):
    """(search response, facet aggregations).

    A search running alone in this process sends its facets as a second request, in
    parallel with the hits: Elasticsearch runs each on its own thread, so an otherwise
    idle machine answers sooner (the aggregations are a third of Elasticsearch's work),
    and a facet request (size 0) is one Elasticsearch's request cache keeps until the
    next refresh (page 2 of a search asks the same). Under load the two requests would
    only cost more CPU in total (the query runs twice), so concurrent searches send one
    request with both. Either way the facets count the same documents."""
    global _running
    client = get_client()
    with _running_lock:
        _running += 1
        alone = _running == 1
    try:
        if alone and settings.SEARCH_PARALLEL_FACETS:
            facets_body = {"query": body["query"], "aggs": aggs, "size": 0}
            facets = _facet_requests.submit(
                _execute,
                "search facets",
                lambda: client.search(index=alias_name(), track_total_hits=False, **facets_body),
            )
            response = _execute("search", lambda: client.search(index=alias_name(), **body)).body
            return response, facets.result().body["aggregations"]
        response = _execute(
            "search", lambda: client.search(index=alias_name(), aggs=aggs, **body)
        ).body
        return response, response["aggregations"]
    finally:
        with _running_lock:
            _running -= 1


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


def _facets(aggregations: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    facets: dict[str, list[dict[str, Any]]] = {
        name: [
            {"value": bucket["key"], "count": bucket["doc_count"]}
            for bucket in aggregations[name]["values"]["buckets"]
        ]
        for name in ("amenities", "property_types", "cities")
    }
    price_ranges = []
    for (low, high), bucket in zip(
        PRICE_BUCKETS, aggregations["price_ranges"]["values"]["buckets"], strict=True
    ):
        # What to pass to select exactly this bucket: price_max is inclusive and
        # prices have two decimals, so the bucket's exclusive upper bound minus a cent.
        selection = {"price_min": f"{low}"}
        if high is not None:
            selection["price_max"] = str(Decimal(high) - Decimal("0.01"))
        price_ranges.append(
            {
                "value": bucket["key"],
                "from": low,
                "to": high,
                "count": bucket["doc_count"],
                "params": selection,
            }
        )
    facets["price_ranges"] = price_ranges
    return facets


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _result(
    hit: dict[str, Any], point: tuple[float, float] | None, matcher: Matcher
) -> dict[str, Any]:
    source = hit["_source"]
    address = source.get("address", {})
    result = {
        "id": source["id"],
        "title": source.get("title"),
        "city": address.get("city"),
        "locality": address.get("locality"),
        "monthly_price": source.get("monthly_price"),
        "currency": source.get("currency"),
        "bedrooms": source.get("bedrooms"),
        "bathrooms": source.get("bathrooms"),
        "property_type": source.get("property_type"),
        "furnished": source.get("furnished"),
        "amenities": source.get("amenities", []),
        "available_from": source.get("available_from"),
        "available_units": source.get("available_units"),
        "cover_photo_url": source.get("cover_photo_url"),
        "location": source.get("location"),
        "published_at": source.get("published_at"),
        "highlight": highlight(
            matcher, title=source.get("title"), description=source.get("description")
        ),
    }
    if point is not None and source.get("location"):
        # Computed here rather than by a script field (no painless on this cluster);
        # the same great-circle formula and radius as the geo_distance filter.
        location = source["location"]
        result["distance_km"] = round(
            haversine_km(point[0], point[1], location["lat"], location["lon"]), 3
        )
    return result


# -- autocomplete ------------------------------------------------------------------------
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


def suggest(q: str) -> list[dict[str, Any]]:
    """Up to 10 distinct completions of `q`: cities and localities (most listings
    first), then listing titles (best match first), each with its kind."""
    city_query = _prefix_or_fuzzy("address.city.text", q)
    locality_query = _prefix_or_fuzzy("address.locality", q)
    searches = [
        {"index": alias_name()},
        {
            "size": MAX_SUGGESTIONS,
            "query": {"bool": {"filter": [SEARCHABLE], "must": [_prefix_or_fuzzy("title", q)]}},
            "collapse": {"field": "title.keyword"},  # one suggestion per distinct title
            "_source": ["id", "title"],
        },
        {"index": alias_name()},
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
    client = get_client()
    responses = _execute("suggest", lambda: client.msearch(searches=searches)).body["responses"]
    for response in responses:
        if "error" in response:
            status = response.get("status", 500)
            if status == 404 or status == 429 or status >= 500:
                raise SearchUnavailable()
            raise RuntimeError(f"suggest query failed: {response['error']}")
    titles_response, places_response = responses
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
