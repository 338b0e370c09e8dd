"""JSON for the search endpoints with orjson: a page of results with highlights and
facets is the biggest body the platform serves on every keystroke, and the standard
library's encoder took about a tenth of search_service's CPU per search."""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default  # Decimal, lazy strings, ... as DRF would write them


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback)
