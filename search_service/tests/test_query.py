"""The Elasticsearch request of a search, built from parameters the API validated:
pure functions, tested without Elasticsearch."""

from __future__ import annotations

from datetime import date

import pytest
from property_search.api.serializers import SearchParamsSerializer
from property_search.fulltext import MAX_QUERY_TERMS, query_terms, text_query
from property_search.query import (
    MAX_RESULT_WINDOW,
    RESULT_FIELDS,
    SEARCHABLE,
    facet_aggregations,
    search_request,
)


def params(**query) -> dict:
    """Query parameters as the search view receives them, validated."""
    serializer = SearchParamsSerializer(data={k: str(v) for k, v in query.items()})
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def body(**query) -> dict:
    return search_request(params(**query)).body


# -- words -----------------------------------------------------------------------------------
def test_stop_words_do_not_count_unless_there_is_nothing_else():
    assert query_terms("Flat FOR students") == ["flat", "students"]
    assert query_terms("with the") == ["with", "the"]
    assert query_terms("  ,;!  ") == []
    assert len(query_terms(" ".join(f"w{i}" for i in range(30)))) == MAX_QUERY_TERMS


def test_each_word_matches_with_typos_except_words_with_digits():
    must, should = text_query("2bhk apartment")
    per_word = must["bool"]["should"]
    assert [clause["multi_match"]["query"] for clause in per_word] == ["2bhk", "apartment"]
    assert [clause["multi_match"]["fuzziness"] for clause in per_word] == [0, "AUTO"]
    assert must["bool"]["minimum_should_match"] == "2<75%"
    # Exact words and the phrase rank above typo matches.
    assert {clause["multi_match"]["type"] for clause in should} == {"cross_fields", "phrase"}
    assert text_query("!!") is None


# -- the query -------------------------------------------------------------------------------
def test_without_words_every_listing_matches_newest_first_without_scoring():
    request = search_request(params())
    assert request.body["query"] == {"bool": {"filter": [SEARCHABLE]}}
    assert request.body["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}
    assert "track_scores" not in request.body
    assert "post_filter" not in request.body
    assert request.body["_source"] == RESULT_FIELDS
    assert request.terms == []
    assert request.point is None


def test_words_are_scored_and_the_description_fetched_for_highlights():
    request = search_request(params(q="garden villa"))
    query = request.body["query"]["bool"]
    assert query["filter"] == [SEARCHABLE]
    assert len(query["must"]) == 1 and len(query["should"]) == 2
    assert request.body["sort"][0] == {"_score": "desc"}
    assert request.body["track_scores"] is True
    assert request.body["_source"] == [*RESULT_FIELDS, "description"]
    assert request.terms == ["garden", "villa"]


def test_filters_narrow_the_hits_and_the_facets():
    filters = body(
        lat=12.97, lon=77.59, radius_km=5, bedrooms_min=2, furnished="true", available="true",
        move_in="2027-01-01",
    )["query"]["bool"]["filter"]  # fmt: skip
    assert filters[0] == SEARCHABLE
    assert filters[1] == {
        "geo_distance": {
            "distance": "5.0km",
            "distance_type": "arc",
            "location": {"lat": 12.97, "lon": 77.59},
        }
    }
    assert {"range": {"bedrooms": {"gte": 2}}} in filters
    assert {"term": {"furnished": True}} in filters
    assert {"range": {"available_units": {"gt": 0}}} in filters
    # A listing without a date is available now.
    [move_in] = [f for f in filters if "bool" in f]
    assert move_in["bool"]["should"][0] == {"range": {"available_from": {"lte": "2027-01-01"}}}


def test_furnished_false_is_a_filter_and_absent_is_none():
    assert {"term": {"furnished": False}} in body(furnished="false")["query"]["bool"]["filter"]
    assert body()["query"]["bool"]["filter"] == [SEARCHABLE]


def test_facet_filters_go_to_the_post_filter_not_the_query():
    request = search_request(
        params(amenities="wifi,parking", property_type="studio", city="Pune", price_min=100)
    )
    assert request.body["query"]["bool"]["filter"] == [SEARCHABLE]
    assert request.body["post_filter"]["bool"]["filter"] == [
        {"term": {"amenities": "wifi"}},
        {"term": {"amenities": "parking"}},
        {"terms": {"property_type": ["studio"]}},
        {"terms": {"address.city": ["Pune"]}},
        {"range": {"monthly_price": {"gte": 100.0}}},
    ]


def test_each_facet_is_counted_under_the_other_facets_filters_but_not_its_own():
    aggs = facet_aggregations(
        {
            "amenities": [{"term": {"amenities": "wifi"}}],
            "property_types": [{"terms": {"property_type": ["studio"]}}],
        }
    )
    scope = {name: agg["filter"]["bool"]["filter"] for name, agg in aggs.items()}
    assert scope["property_types"] == [{"term": {"amenities": "wifi"}}]
    assert (
        scope["cities"]
        == scope["price_ranges"]
        == [
            {"term": {"amenities": "wifi"}},
            {"terms": {"property_type": ["studio"]}},
        ]
    )
    # Amenities are all-of: their counts stay under the amenity filter too.
    assert scope["amenities"] == scope["cities"]
    ranges = aggs["price_ranges"]["aggs"]["values"]["range"]["ranges"]
    assert ranges[0] == {"key": "0-10000", "from": 0, "to": 10_000}
    assert ranges[-1] == {"key": "100000+", "from": 100_000}


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("price_asc", {"monthly_price": "asc"}),
        ("price_desc", {"monthly_price": "desc"}),
        ("newest", {"published_at": {"order": "desc", "missing": "_last"}}),
    ],
)
def test_every_sort_ends_on_the_tiebreak(sort, first):
    assert body(sort=sort)["sort"] == [first, {"tiebreak": "asc"}]


def test_distance_sort_is_from_the_callers_point():
    request = search_request(params(lat=19.07, lon=72.87, sort="distance"))
    assert request.point == (19.07, 72.87)
    assert request.body["sort"][0]["_geo_distance"]["location"] == {"lat": 19.07, "lon": 72.87}


# -- paging ----------------------------------------------------------------------------------
def test_pages_are_from_and_size_within_the_result_window():
    request = search_request(params(page=3, page_size=10))
    assert (request.body["from"], request.body["size"], request.start) == (20, 10, 20)
    assert "search_after" not in request.body
    # The last page the window allows is cut short rather than refused by Elasticsearch.
    last = search_request({**params(page_size=50), "page": MAX_RESULT_WINDOW // 50 + 1})
    assert last.body["from"] + last.body["size"] <= MAX_RESULT_WINDOW


def test_a_cursor_continues_after_its_sort_values_with_one_extra_hit():
    request = search_request(params(page_size=10), after=[1.5, 42])
    assert request.body["search_after"] == [1.5, 42]
    assert request.body["size"] == 11
    assert "from" not in request.body
    assert request.start == 0


def test_move_in_is_a_date():
    assert params(move_in="2027-02-03")["move_in"] == date(2027, 2, 3)
