"""GET /api/search/suggest: autocomplete on cities, localities and listing titles."""

import pytest

from rentezy_common.search.testing import property_snapshot

pytestmark = pytest.mark.django_db

SUGGEST = "/api/search/suggest"


def suggestions(api, q):
    response = api(SUGGEST, q=q)
    assert response.status_code == 200, response.json()
    assert response.json()["q"] == q.strip()
    return [(s["kind"], s["text"]) for s in response.json()["suggestions"]]


def test_suggests_cities_localities_and_titles_by_prefix(seed, api):
    flat, _, _ = seed(
        property_snapshot(
            title="Bright flat near Bellandur lake", city="Bengaluru", locality="HSR Layout"
        ),
        property_snapshot(title="Cozy studio", city="Bengaluru", locality="Bellandur"),
        property_snapshot(title="Sea view flat", city="Mumbai", locality="Bandra"),
    )
    assert suggestions(api, "be") == [
        ("city", "Bengaluru"),
        ("locality", "Bellandur"),
        ("title", "Bright flat near Bellandur lake"),
    ]
    assert suggestions(api, "b") == [
        ("city", "Bengaluru"),
        ("locality", "Bandra"),
        ("locality", "Bellandur"),
        ("title", "Bright flat near Bellandur lake"),
    ]
    # Any word of a title, and several words with the last one unfinished.
    assert suggestions(api, "lak") == [("title", "Bright flat near Bellandur lake")]
    assert suggestions(api, "flat near bel") == [("title", "Bright flat near Bellandur lake")]
    [title] = [s for s in api(SUGGEST, q="lak").json()["suggestions"]]
    assert title["id"] == flat["id"]
    assert suggestions(api, "zz") == []


def test_typos_in_a_typed_out_word_are_tolerated(seed, api):
    seed(property_snapshot(city="Bengaluru", locality="Koramangala", title="Quiet flat"))
    assert ("city", "Bengaluru") in suggestions(api, "bengalru")
    assert ("locality", "Koramangala") in suggestions(api, "koramangla")


def test_at_most_ten_distinct_suggestions(seed, api):
    seed(
        *(
            property_snapshot(title=f"Park view {i % 12}", city="Parkville", locality="Parkside")
            for i in range(30)
        )
    )
    result = suggestions(api, "park")
    assert len(result) == 10
    assert len(set(result)) == 10
    assert result[:2] == [("city", "Parkville"), ("locality", "Parkside")]


def test_unpublished_listings_are_not_suggested(seed, api):
    draft = property_snapshot(title="Secret draft", city="Hiddenpur", status="draft")
    gone = property_snapshot(title="Withdrawn listing", city="Gonecity")
    seed(draft, gone)
    seed({**gone, "status": "deleted"}, version=2)
    assert suggestions(api, "secret") == []
    assert suggestions(api, "hidden") == []
    assert suggestions(api, "withdrawn") == []
    assert suggestions(api, "gone") == []


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 101}])
def test_missing_or_bad_query_is_400(api, params, search_alias):
    response = api(SUGGEST, **params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert "q" in response.json()["error"]["details"]
