"""The search endpoint's read: one page of listings with facets and the next cursor.

`property_search(params)` ties the parts together: check the cursor against the
parameters (cursor.py), build the request (query.py), run it (engine.py) and shape the
answer (results.py). The view decodes the parameters and encodes what this returns.
"""

from __future__ import annotations

from typing import Any

from .cursor import Cursor, check_cursor, fingerprint
from .engine import search_with_facets
from .highlight import Matcher
from .query import search_request
from .results import facets, result


def property_search(params: dict[str, Any]) -> dict[str, Any]:
    """The search endpoint's response body for validated parameters (see the API
    serializer): results, count, facets, next_cursor."""
    cursor: Cursor | None = params.get("cursor")
    if cursor is not None:
        check_cursor(cursor, params)
    request = search_request(params, after=cursor.after if cursor is not None else None)
    response, aggregations = search_with_facets(request.body, request.aggs)

    hits = response["hits"]["hits"]
    total = response["hits"]["total"]["value"]
    page_size = request.page_size
    page_hits = hits[:page_size]
    has_more = len(hits) > page_size or (cursor is None and request.start + page_size < total)
    next_cursor = None
    if has_more and page_hits:
        next_cursor = Cursor(params["sort"], page_hits[-1]["sort"], fingerprint(params)).encode()
    matcher = Matcher(request.terms)  # one word cache for the whole page of highlights
    return {
        "count": total,
        "page": None if cursor is not None else params["page"],
        "page_size": page_size,
        "results": [result(hit, request.point, matcher) for hit in page_hits],
        "facets": facets(aggregations),
        "next_cursor": next_cursor,
    }
