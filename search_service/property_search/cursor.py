"""The paging cursor: where the next page of a search starts.

A cursor is the sort values of the page's last hit (Elasticsearch's `search_after`),
bound to the search it came from: its sort and a fingerprint of its parameters, so a
cursor followed with other filters is refused instead of paging through a different
result list. It is opaque to clients (URL-safe base64 of a small JSON object) and
checked on the way in: nothing from it reaches Elasticsearch unless it is a list of
plain values.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from rentezy_common.api import InvalidParameter

from .query import SORTS

# The parameters that define a result list; page and page_size do not.
_FINGERPRINTED = (
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


def fingerprint(params: dict[str, Any]) -> str:
    """What a cursor must agree on with the request that follows it."""
    normal = {key: str(params.get(key)) for key in _FINGERPRINTED}
    return hashlib.sha256(orjson.dumps(normal, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def check_cursor(cursor: Cursor, params: dict[str, Any]) -> None:
    """A 400 `invalid_parameter` unless `cursor` came from a search with `params`."""
    if cursor.sort != params["sort"] or cursor.fingerprint != fingerprint(params):
        raise InvalidParameter(details={"cursor": ["This cursor belongs to a different search."]})
