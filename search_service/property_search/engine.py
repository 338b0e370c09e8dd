"""Talking to Elasticsearch: the client calls of search and suggest, and their errors.

Every call goes through `execute`, which turns "Elasticsearch cannot answer" (down,
overloaded, the alias missing) into `SearchUnavailable`, a 503 in the platform's error
shape, instead of a 500. `search_with_facets` decides whether a search's facets travel
with its hits or in a parallel request (a small thread pool per process).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.conf import settings
from elasticsearch import NotFoundError

from rentezy_common.errors import ServiceUnavailable
from rentezy_common.search import alias_name
from rentezy_common.search.client import get_client, is_unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")


class SearchUnavailable(ServiceUnavailable):
    code = "search_unavailable"
    message = "Search is unavailable right now; try again shortly."


def execute(request: str, call: Callable[[], T]) -> T:
    """Run an Elasticsearch call; unavailable (down, overloaded, alias missing) -> 503."""
    try:
        return call()
    except Exception as exc:
        if is_unavailable(exc) or isinstance(exc, NotFoundError):
            logger.warning("%s: Elasticsearch unavailable: %r", request, exc)
            raise SearchUnavailable() from exc
        raise


# Searches this process is running right now (gunicorn threads).
_running = 0
_running_lock = threading.Lock()
_facet_requests = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")


def search_with_facets(body: dict[str, Any], aggs: dict[str, Any]):
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
                execute,
                "search facets",
                lambda: client.search(index=alias_name(), track_total_hits=False, **facets_body),
            )
            response = execute("search", lambda: client.search(index=alias_name(), **body)).body
            return response, facets.result().body["aggregations"]
        response = execute(
            "search", lambda: client.search(index=alias_name(), aggs=aggs, **body)
        ).body
        return response, response["aggregations"]
    finally:
        with _running_lock:
            _running -= 1


def multi_search(request: str, searches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The responses of an `_msearch` (header and body pairs, each header naming its
    index); a search that failed for want of Elasticsearch -> 503, any other -> error."""
    client = get_client()
    responses = execute(request, lambda: client.msearch(searches=searches)).body["responses"]
    for response in responses:
        if "error" in response:
            status = response.get("status", 500)
            if status == 404 or status == 429 or status >= 500:
                raise SearchUnavailable()
            raise RuntimeError(f"{request} query failed: {response['error']}")
    return responses
