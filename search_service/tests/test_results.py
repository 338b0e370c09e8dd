"""Shaping Elasticsearch's answers into the API's (results.py, suggest.py): pure
functions over response bodies, tested without Elasticsearch."""

from __future__ import annotations

import pytest
from property_search.results import facets, haversine_km
from property_search.suggest import suggestions


def test_distance_is_the_great_circle_distance():
    assert haversine_km(12.9716, 77.5946, 12.9716, 77.5946) == 0
    assert haversine_km(12.9716, 77.5946, 19.0760, 72.8777) == pytest.approx(845, abs=5)


def test_each_price_range_says_which_parameters_select_it():
    buckets = {"buckets": []}
    aggregations = {name: {"values": buckets} for name in ("amenities", "property_types", "cities")}
    aggregations["price_ranges"] = {
        "values": {
            "buckets": [{"key": k, "doc_count": 1} for k in range(7)],
        }
    }
    ranges = facets(aggregations)["price_ranges"]
    assert ranges[0]["params"] == {"price_min": "0", "price_max": "9999.99"}
    assert ranges[-1]["params"] == {"price_min": "100000"}
    assert ranges[-1]["to"] is None


def test_suggestions_put_places_first_and_keep_most_slots_for_titles():
    titles = {
        "hits": {
            "hits": [{"_source": {"id": str(i), "title": f"Flat {i}"}} for i in range(10)]
            + [{"_source": {"id": "x", "title": "FLAT 0"}}]  # the same title, another case
        }
    }
    places = {
        "aggregations": {
            "cities": {"values": {"buckets": [{"key": f"City {i}"} for i in range(5)]}},
            "localities": {"values": {"buckets": [{"key": "city 0"}]}},  # another kind
        }
    }
    chosen = suggestions(titles, places)
    assert len(chosen) == 10
    assert [s["kind"] for s in chosen[:4]] == ["city"] * 4
    assert [s["kind"] for s in chosen[4:]] == ["title"] * 6
    assert chosen[4] == {"text": "Flat 0", "kind": "title", "id": "0"}
