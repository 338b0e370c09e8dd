"""The process-wide Elasticsearch client (settings.ELASTICSEARCH_URL).

One client per URL and process: it holds a pool of keep-alive HTTP connections that
every request of the process shares (gunicorn workers are processes, so each has its
own). Requests that need a different timeout use `client.options(request_timeout=...)`,
which shares the same pool.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

# Seconds. A search answers in milliseconds; past this the cluster is in trouble and
# the caller is better served by a quick 503 than by a hung worker.
DEFAULT_REQUEST_TIMEOUT = 10.0
# Connection pool size per node: enough for a threaded reindex and several in-flight
# bulk requests; a gunicorn sync worker uses one.
CONNECTIONS_PER_NODE = 16

_clients: dict[str, Elasticsearch] = {}
_lock = threading.Lock()


def get_client(url: str | None = None) -> Elasticsearch:
    """The shared client for `url` (default settings.ELASTICSEARCH_URL)."""
    url = url or settings.ELASTICSEARCH_URL
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                from elasticsearch import Elasticsearch
                from elasticsearch.serializer import OrjsonSerializer

                client = Elasticsearch(
                    url,
                    serializer=OrjsonSerializer(),  # faster on big search responses
                    request_timeout=getattr(
                        settings, "SEARCH_REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT
                    ),
                    connections_per_node=CONNECTIONS_PER_NODE,
                    # One quick retry on another connection; longer waits are the
                    # caller's (the consumer backs off, an API request answers 503).
                    max_retries=1,
                    retry_on_timeout=False,
                )
                _clients[url] = client
    return client


def is_unavailable(exc: BaseException) -> bool:
    """Whether an error means Elasticsearch cannot serve right now (down, overloaded,
    timing out) rather than that the request was wrong."""
    from elastic_transport import ConnectionError as TransportConnectionError
    from elastic_transport import ConnectionTimeout
    from elasticsearch import ApiError

    if isinstance(exc, TransportConnectionError | ConnectionTimeout):
        return True
    if isinstance(exc, ApiError):
        return exc.meta.status == 429 or exc.meta.status >= 500
    return False
