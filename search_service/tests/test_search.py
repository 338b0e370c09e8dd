"""GET /api/search/properties against a real Elasticsearch index, seeded with
contract-shaped property events through the consumer's builder and writer."""

import math
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from rentezy_common.search.documents import tiebreak
from rentezy_common.search.testing import (
    index_envelopes,
    inventory_envelope,
    property_snapshot,
    snapshot_envelope,
)

pytestmark = pytest.mark.django_db

SEARCH = "/api/search/properties"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [result["id"] for result in response.json()["results"]]


# -- full text -------------------------------------------------------------------------
def test_misspelled_words_still_find_the_listing(seed, api):
    flat, studio = seed(
        property_snapshot(title="Spacious apartment near Cubbon Park", city="Bengaluru"),
        property_snapshot(
            title="Cozy studio by the sea",
            property_type="studio",
            city="Mumbai",
            locality="Bandra",
            description="Sea view, walk to the promenade.",
        ),
    )
    assert ids(api(SEARCH, q="apartmnet")) == [flat["id"]]
    assert ids(api(SEARCH, q="bengalru")) == [flat["id"]]
    assert ids(api(SEARCH, q="apartmnet in bengalru")) == [flat["id"]]
    assert ids(api(SEARCH, q="mumbai")) == [studio["id"]]
    assert ids(api(SEARCH, q="bandra")) == [studio["id"]]  # locality
    assert ids(api(SEARCH, q="promenade")) == [studio["id"]]  # description
    assert ids(api(SEARCH, q="xylophone")) == []


def test_stop_words_do_not_count_as_matched_words(seed, api):
    villa, flat = seed(
        property_snapshot(title="Garden villa with pool", description="Quiet street."),
        property_snapshot(title="Flat with a pool view", description="Close to the metro."),
    )
    # "with" is no evidence: both real words must match (and no three-word 75% rule).
    assert ids(api(SEARCH, q="villa with pool")) == [villa["id"]]
    assert set(ids(api(SEARCH, q="pool"))) == {villa["id"], flat["id"]}
    # A query of stop words only still searches for them.
    assert set(ids(api(SEARCH, q="with"))) == {villa["id"], flat["id"]}


def test_exact_title_matches_rank_above_partial_and_typo_matches(seed, api):
    exact, scattered, typo = seed(
        property_snapshot(title="Garden villa with pool", description="Quiet street."),
        property_snapshot(title="Villa by the lake", description="A small garden behind."),
        property_snapshot(title="Gardan vila", description="Needs work."),
    )
    assert ids(api(SEARCH, q="garden villa")) == [exact["id"], scattered["id"], typo["id"]]


def test_highlights_mark_the_matches_and_escape_listing_text(seed, api):
    seed(
        property_snapshot(
            title="Loft <b>with</b> terrace",
            description="A bright loft. The terrace faces the park and the river.",
        )
    )
    [result] = api(SEARCH, q="terrace").json()["results"]
    assert result["highlight"]["title"] == ["Loft &lt;b&gt;with&lt;/b&gt; <mark>terrace</mark>"]
    assert result["highlight"]["description"] == [
        "A bright loft. The <mark>terrace</mark> faces the park and the river."
    ]
    # Without a text query there is nothing to highlight.
    assert api(SEARCH).json()["results"][0]["highlight"] == {}


def test_highlights_follow_the_typo_tolerance_and_cut_long_descriptions(seed, api):
    filler = "Plenty of storage and a quiet street. " * 10
    seed(
        property_snapshot(
            title="Spacious apartment in Indiranagar",
            description=f"{filler}The apartment has a balcony. {filler}Apartments nearby too.",
        )
    )
    [result] = api(SEARCH, q="apartmnet spacius").json()["results"]
    assert result["highlight"]["title"] == [
        "<mark>Spacious</mark> <mark>apartment</mark> in Indiranagar"
    ]
    fragments = result["highlight"]["description"]
    assert len(fragments) == 2
    assert "The <mark>apartment</mark> has a balcony." in fragments[0]
    assert fragments[1].endswith("<mark>Apartments</mark> nearby too.")
    assert all(len(f.replace("<mark>", "").replace("</mark>", "")) <= 160 for f in fragments)


def test_unpublished_listings_are_never_found(seed, api, search_alias):
    kept, withdrawn = seed(property_snapshot(title="Kept"), property_snapshot(title="Withdrawn"))
    seed({**withdrawn, "status": "archived"}, version=2)
    seed(property_snapshot(title="Draft flat", status="draft"))
    assert ids(api(SEARCH)) == [kept["id"]]
    assert ids(api(SEARCH, q="withdrawn")) == []
    assert ids(api(SEARCH, q="draft")) == []


# -- geo ---------------------------------------------------------------------------------
CENTER = (12.9716, 77.5946)  # Bengaluru


def destination(lat, lon, bearing_deg, distance_km):
    """The point `distance_km` away on a great circle (mean Earth radius)."""
    radius = 6371.0088
    d, b = distance_km / radius, math.radians(bearing_deg)
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(b))
    lambda2 = lambda1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(phi1), math.cos(d) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), math.degrees(lambda2)


def haversine(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_radius_includes_just_inside_excludes_just_outside_with_distances(seed, api):
    inside_near = destination(*CENTER, 45, 1.2)
    inside_edge = destination(*CENTER, 200, 4.9)
    outside = destination(*CENTER, 100, 5.1)
    near, edge, far = seed(
        *(
            property_snapshot(title=name, lat=p[0], lon=p[1])
            for name, p in (("Near", inside_near), ("Edge", inside_edge), ("Far", outside))
        )
    )
    response = api(SEARCH, lat=CENTER[0], lon=CENTER[1], radius_km=5, sort="distance")
    assert ids(response) == [near["id"], edge["id"]]
    expected = {near["id"]: inside_near, edge["id"]: inside_edge}
    for result in response.json()["results"]:
        true_km = haversine(CENTER, expected[result["id"]])
        assert abs(result["distance_km"] - true_km) <= 0.005 * true_km

    # A point without a radius: no filter, but distances and distance sort.
    everything = api(SEARCH, lat=CENTER[0], lon=CENTER[1], sort="distance").json()["results"]
    assert [r["id"] for r in everything] == [near["id"], edge["id"], far["id"]]
    assert abs(everything[2]["distance_km"] - haversine(CENTER, outside)) <= 0.005 * 5.1
    # Without a point there is no distance.
    assert "distance_km" not in api(SEARCH).json()["results"][0]


# -- filters -----------------------------------------------------------------------------
def test_price_bedrooms_amenities_type_and_furnished_filters(seed, api):
    cheap, mid, dear = seed(
        property_snapshot(monthly_price="9999.99", bedrooms=1, amenities=["wifi"], furnished=False),
        property_snapshot(
            monthly_price="20000.00",
            bedrooms=2,
            amenities=["gym", "parking", "wifi"],
            property_type="house",
        ),
        property_snapshot(
            monthly_price="45000.00", bedrooms=4, amenities=["gym"], property_type="villa"
        ),
    )
    assert set(ids(api(SEARCH, price_min="9999.99", price_max="20000"))) == {cheap["id"], mid["id"]}
    assert ids(api(SEARCH, price_min="20000.01")) == [dear["id"]]
    assert ids(api(SEARCH, price_max="9999.98")) == []
    assert set(ids(api(SEARCH, bedrooms_min=2))) == {mid["id"], dear["id"]}
    assert ids(api(SEARCH, amenities="wifi,gym")) == [mid["id"]]  # all of them
    assert set(ids(api(SEARCH, amenities="gym"))) == {mid["id"], dear["id"]}
    assert ids(api(SEARCH, property_type="house")) == [mid["id"]]
    assert set(ids(api(SEARCH, property_type="house,villa"))) == {mid["id"], dear["id"]}
    assert ids(api(SEARCH, furnished="false")) == [cheap["id"]]
    assert set(ids(api(SEARCH, furnished="true"))) == {mid["id"], dear["id"]}


def test_move_in_and_availability_filters(seed, api):
    anytime, december, later, full = seed(
        property_snapshot(available_from=None),
        property_snapshot(available_from="2026-12-01"),
        property_snapshot(available_from="2027-03-01"),
        property_snapshot(rooms=[]),  # no units at all
    )
    assert set(ids(api(SEARCH, move_in="2026-12-01"))) == {
        anytime["id"],
        december["id"],
        full["id"],
    }
    assert set(ids(api(SEARCH, move_in="2026-11-30"))) == {anytime["id"], full["id"]}
    assert set(ids(api(SEARCH, available="true"))) == {anytime["id"], december["id"], later["id"]}
    assert len(ids(api(SEARCH, available="false"))) == 4  # false: no availability filter


def test_availability_filter_follows_room_inventory(search_alias, api):
    """Documents carry the newest `inventory.changed` of each room (merged as
    search_consumer merges them): a booked-out listing, or one whose only room cannot be
    booked, is not `available`; the others show their free units."""
    booked_out, partly, unbookable, untouched = (property_snapshot() for _ in range(4))

    def inventory(listing, available, **fields):
        return inventory_envelope(
            room_id=listing["rooms"][0]["id"],
            property_id=listing["id"],
            available_units=available,
            total_units=3,
            **fields,
        )

    index_envelopes(
        [snapshot_envelope(s) for s in (booked_out, partly, unbookable, untouched)],
        alias=search_alias,
        inventory=[
            inventory(booked_out, 0, version=2),
            inventory(booked_out, 3, version=1),  # older: ignored
            inventory(partly, 1),
            inventory(unbookable, 3, bookable=False),
        ],
    )
    response = api(SEARCH, available="true")
    assert response.status_code == 200, response.json()
    free = {result["id"]: result["available_units"] for result in response.json()["results"]}
    assert free == {partly["id"]: 1, untouched["id"]: 3}
    assert len(ids(api(SEARCH))) == 4  # still found without the filter


# -- facets ------------------------------------------------------------------------------
def test_facets_in_a_parallel_request_equal_facets_in_the_same_request(seed, api, settings):
    rng = random.Random(5)
    seed(
        *(
            property_snapshot(
                title=rng.choice(["Sunny flat", "Garden house", "Quiet studio"]),
                property_type=rng.choice(["apartment", "house", "studio"]),
                city=rng.choice(["Bengaluru", "Pune"]),
                amenities=sorted(rng.sample(["wifi", "gym", "lift"], rng.randint(0, 3))),
                monthly_price=f"{rng.randint(3000, 60000)}.00",
            )
            for _ in range(30)
        )
    )
    searches = [
        {},
        {"q": "flat"},
        {"amenities": "wifi", "property_type": "house,studio", "price_max": "40000"},
        {"city": "Pune", "sort": "price_asc", "page_size": 5, "page": 2},
    ]
    settings.SEARCH_PARALLEL_FACETS = True  # each search here runs alone: two requests
    parallel = [api(SEARCH, **params).json() for params in searches]
    settings.SEARCH_PARALLEL_FACETS = False  # one request with the aggregations
    combined = [api(SEARCH, **params).json() for params in searches]
    assert parallel == combined
    assert all(body["facets"]["cities"] for body in parallel)


def test_facet_counts_equal_the_hits_they_describe(seed, api):
    rng = random.Random(11)
    amenities = ["wifi", "parking", "gym", "balcony", "lift"]
    prices = ["9999.99", "10000.00", "19999.99", "20000.00", "100000.00"]
    seed(
        *(
            property_snapshot(
                property_type=rng.choice(["apartment", "house", "studio"]),
                city=rng.choice(["Bengaluru", "Mumbai", "Pune"]),
                amenities=sorted(rng.sample(amenities, rng.randint(0, 4))),
                monthly_price=prices[i] if i < len(prices) else f"{rng.randint(3000, 120000)}.50",
                bedrooms=rng.randint(0, 4),
            )
            for i in range(60)
        )
    )
    active = {
        "amenities": "wifi",
        "property_type": "apartment,house",
        "price_min": "10000",
        "bedrooms_min": 1,
    }
    body = api(SEARCH, page_size=50, **active).json()
    facets = body["facets"]
    assert body["count"] > 0
    assert facets["amenities"] and facets["property_types"] and facets["cities"]

    def count(**params):
        return api(SEARCH, **params).json()["count"]

    # All-of amenities: each count is what adding that amenity leaves.
    for facet in facets["amenities"]:
        chosen = ",".join(dict.fromkeys(["wifi", facet["value"]]))
        assert count(**{**active, "amenities": chosen}) == facet["count"], facet
    # Property types and cities: each count is what choosing that value (instead of
    # the current choice) gives, under every other filter.
    for facet in facets["property_types"]:
        assert count(**{**active, "property_type": facet["value"]}) == facet["count"], facet
    for facet in facets["cities"]:
        assert count(**{**active, "city": facet["value"]}) == facet["count"], facet
    for facet in facets["price_ranges"]:
        without_price = {k: v for k, v in active.items() if k != "price_min"}
        assert count(**without_price, **facet["params"]) == facet["count"], facet
    # The selected types' counts add up to the result count (one type per listing).
    selected = {"apartment", "house"}
    assert (
        sum(f["count"] for f in facets["property_types"] if f["value"] in selected) == body["count"]
    )
    # Types outside the selection are still counted (disjunctive facet).
    assert {f["value"] for f in facets["property_types"]} - selected
    assert [f["value"] for f in facets["price_ranges"]] == [
        "0-10000",
        "10000-20000",
        "20000-30000",
        "30000-50000",
        "50000-75000",
        "75000-100000",
        "100000+",
    ]


# -- sorting and paging -------------------------------------------------------------------
def test_sorts(seed, api):
    now = datetime.now(UTC)
    listings = seed(
        *(
            property_snapshot(
                title=f"Flat {i}",
                monthly_price=f"{price}.00",
                published_at=(now - timedelta(days=age)).isoformat(),
            )
            for i, (price, age) in enumerate([(30000, 5), (10000, 1), (20000, 9), (20000, 3)])
        )
    )

    def prices(sort):
        return [float(r["monthly_price"]) for r in api(SEARCH, sort=sort).json()["results"]]

    assert prices("price_asc") == [10000, 20000, 20000, 30000]
    assert prices("price_desc") == [30000, 20000, 20000, 10000]
    newest = [r["title"] for r in api(SEARCH, sort="newest").json()["results"]]
    assert newest == ["Flat 1", "Flat 3", "Flat 0", "Flat 2"]
    # Equal prices come in one order (the tiebreaker derived from the id), every time.
    tied = sorted((listing["id"] for listing in listings[2:]), key=tiebreak)
    assert ids(api(SEARCH, sort="price_asc"))[1:3] == tied
    assert ids(api(SEARCH, sort="price_desc"))[1:3] == tied


@pytest.mark.parametrize("sort", ["relevance", "price_asc", "newest"])
def test_pages_and_cursor_walk_every_result_once(seed, api, sort):
    listings = seed(
        *(
            property_snapshot(title=f"Room {i}", monthly_price=f"{10000 + (i % 3)}.00")
            for i in range(23)
        )
    )
    everything = {listing["id"] for listing in listings}

    paged = []
    for page in range(1, 6):
        body = api(SEARCH, sort=sort, page=page, page_size=5).json()
        assert (body["count"], body["page"], body["page_size"]) == (23, page, 5)
        paged += [r["id"] for r in body["results"]]
        assert (body["next_cursor"] is None) == (page == 5)
    assert len(paged) == 23 and set(paged) == everything

    walked, cursor, pages = [], None, 0
    while True:
        params = {"sort": sort, "page_size": 5, **({"cursor": cursor} if cursor else {})}
        body = api(SEARCH, **params).json()
        walked += [r["id"] for r in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert walked == paged  # same order, no duplicates, no gaps


def test_cursor_is_bound_to_its_search(seed, api):
    seed(*(property_snapshot() for _ in range(3)))
    cursor = api(SEARCH, sort="price_asc", page_size=1).json()["next_cursor"]
    assert cursor
    other = api(SEARCH, sort="price_asc", page_size=1, cursor=cursor, bedrooms_min=3)
    assert other.status_code == 400
    assert list(other.json()["error"]["details"]) == ["cursor"]
    assert api(SEARCH, sort="newest", cursor=cursor).status_code == 400
    assert api(SEARCH, sort="price_asc", cursor=cursor, page=2).status_code == 400


def test_deep_pages_must_use_the_cursor(api, search_alias):
    response = api(SEARCH, page=201, page_size=50)
    assert response.status_code == 400
    assert "next_cursor" in response.json()["error"]["details"]["page"][0]
    assert api(SEARCH, page=200, page_size=50).status_code == 200  # the last reachable


# -- bad input and outages ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"price_min": "cheap"}, "price_min"),
        ({"price_max": "-5"}, "price_max"),
        ({"price_min": "500", "price_max": "100"}, "price_min"),
        ({"lat": "12.9"}, "lon"),
        ({"lon": "77.6"}, "lat"),
        ({"lat": "91", "lon": "77.6"}, "lat"),
        ({"lat": "north", "lon": "77.6"}, "lat"),
        ({"radius_km": "5"}, "radius_km"),
        ({"lat": "12.9", "lon": "77.6", "radius_km": "-1"}, "radius_km"),
        ({"lat": "12.9", "lon": "77.6", "radius_km": "far"}, "radius_km"),
        ({"sort": "cheapest"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"amenities": "wifi,jacuzzi"}, "amenities"),
        ({"amenities": ","}, "amenities"),
        ({"property_type": "castle"}, "property_type"),
        ({"move_in": "2026-13-01"}, "move_in"),
        ({"move_in": "next week"}, "move_in"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": "51"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"bedrooms_min": "two"}, "bedrooms_min"),
        ({"furnished": "maybe"}, "furnished"),
        ({"available": "yes"}, "available"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_invalid_parameters_are_400_naming_the_parameter(api, params, named, search_alias):
    response = api(SEARCH, **params)
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert named in error["details"], error


def test_elasticsearch_down_is_503_not_500(api, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"  # nothing listens there
    for path, params in ((SEARCH, {"q": "flat"}), ("/api/search/suggest", {"q": "ben"})):
        response = api(path, **params)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "search_unavailable"


def test_missing_index_is_503(api, settings):
    settings.SEARCH_INDEX_ALIAS = f"test-properties-missing-{uuid.uuid4().hex[:8]}"
    response = api(SEARCH)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "search_unavailable"


def test_search_is_public_but_only_through_the_gateway(seed, api, client):
    seed(property_snapshot())
    assert api(SEARCH).status_code == 200  # anonymous caller, signed by the gateway
    unsigned = client.get(SEARCH)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["code"] == "unsigned_request"
