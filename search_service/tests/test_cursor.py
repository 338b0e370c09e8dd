"""The paging cursor: opaque, checked on the way in, bound to its search. No
Elasticsearch needed."""

from __future__ import annotations

import base64

import orjson
import pytest
from property_search.cursor import Cursor, InvalidCursor, check_cursor, fingerprint

from rentezy_common.api import InvalidParameter


def token(data) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def test_a_cursor_survives_the_round_trip():
    cursor = Cursor("price_asc", [12_000.0, 987654321], "abcd")
    encoded = cursor.encode()
    assert "=" not in encoded
    assert Cursor.decode(encoded) == cursor


@pytest.mark.parametrize(
    "bad",
    [
        "not base64 !",
        token([1, 2]),
        token({"s": "newest", "a": [], "f": "x"}),  # nothing to continue after
        token({"s": "newest", "a": [{"script": "x"}], "f": "x"}),  # only plain values
        token({"s": "random", "a": [1], "f": "x"}),  # not one of our sorts
        token({"s": "newest", "a": 1, "f": "x"}),
        token({"a": [1], "f": "x"}),
    ],
)
def test_anything_else_is_refused(bad):
    with pytest.raises(InvalidCursor):
        Cursor.decode(bad)


def test_the_fingerprint_covers_the_filters_but_not_the_page():
    base = {"q": "villa", "sort": "newest", "city": ["Pune"], "page": 1, "page_size": 20}
    assert fingerprint(base) == fingerprint({**base, "page": 7, "page_size": 5})
    assert fingerprint(base) != fingerprint({**base, "city": ["Goa"]})
    assert fingerprint(base) != fingerprint({**base, "q": "flat"})


def test_a_cursor_only_continues_its_own_search():
    search = {"q": "villa", "sort": "newest"}
    cursor = Cursor("newest", [1], fingerprint(search))
    check_cursor(cursor, search)
    for other in ({**search, "q": "flat"}, {**search, "sort": "price_asc"}):
        with pytest.raises(InvalidParameter) as refused:
            check_cursor(cursor, other)
        assert refused.value.status_code == 400
        assert refused.value.details == {"cursor": ["This cursor belongs to a different search."]}
