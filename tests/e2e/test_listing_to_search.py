"""A landlord lists a property through the gateway; a tenant finds it through the
gateway. Between them: property_service's outbox relay, Kafka, search_consumer,
Elasticsearch and search_service, each a real process."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

FRESHNESS_LIMIT = 10.0  # seconds: "within a few seconds", generous for a loaded CI box


def listing(word: str) -> dict:
    return {
        "title": f"Sunny {word} apartment near the lake",
        "description": "Bright two bedroom flat, ten minutes from the metro.",
        "property_type": "apartment",
        "address": {
            "line1": "12 MG Road",
            "line2": "",
            "locality": "Indiranagar",
            "city": "Bengaluru",
            "state": "Karnataka",
            "postal_code": "560038",
            "country": "IN",
        },
        "location": {"lat": 12.9719, "lon": 77.6412},
        "currency": "INR",
        "monthly_price": "25000.00",
        "deposit": "50000.00",
        "bedrooms": 2,
        "bathrooms": 2,
        "area_sqft": 1100,
        "furnished": True,
        "amenities": ["wifi", "parking"],
        "house_rules": "No smoking.",
        "available_from": "2026-12-01",
    }


def search_ids(api, **params) -> list[str]:
    response = api.get("/api/search/properties", params=params)
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["results"]]


def wait_for(api, predicate, **params) -> float:
    started = time.monotonic()
    while time.monotonic() - started < FRESHNESS_LIMIT:
        if predicate(search_ids(api, **params)):
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"search did not follow within {FRESHNESS_LIMIT}s: {params}")


def test_listing_lifecycle_is_followed_by_search(api, user):
    landlord, _ = user("landlord")
    tenant, _ = user("tenant")
    word = "zq" + uuid.uuid4().hex[:6]  # a word only this listing has

    created = api.post("/api/properties/", json=listing(word), headers=landlord)
    assert created.status_code == 201, created.text
    prop = created.json()
    pid = prop["id"]
    room = api.post(
        f"/api/properties/{pid}/rooms/",
        json={"name": "Double room", "total_units": 3, "monthly_price": "12000.00"},
        headers=landlord,
    )
    assert room.status_code == 201, room.text

    # a draft is never searchable, and only its owner can see it
    assert api.get(f"/api/properties/{pid}/").status_code == 404
    assert api.get(f"/api/properties/{pid}/", headers=landlord).status_code == 200
    time.sleep(1.5)
    assert pid not in search_ids(api, q=word)

    # a tenant cannot edit or publish a landlord's listing
    assert (
        api.patch(f"/api/properties/{pid}/", json={"title": "x"}, headers=tenant).status_code == 403
    )
    assert api.post(f"/api/properties/{pid}/publish/", headers=tenant).status_code == 403
    # nor can anyone without a token
    assert api.post(f"/api/properties/{pid}/publish/").status_code == 401

    published = api.post(f"/api/properties/{pid}/publish/", headers=landlord)
    assert published.status_code == 200, published.text
    timings = {"publish": wait_for(api, lambda ids: pid in ids, q=word)}
    assert api.get(f"/api/properties/{pid}/").status_code == 200  # public now

    # typo tolerance and the structured filters, through the gateway
    hits = api.get("/api/search/properties", params={"q": f"{word} apartmnet"}).json()
    assert pid in [h["id"] for h in hits["results"]]
    assert pid in search_ids(api, q=word, lat=12.97, lon=77.64, radius_km=5, bedrooms_min=2)
    assert pid not in search_ids(api, q=word, price_max=20000)

    updated = api.patch(
        f"/api/properties/{pid}/", json={"monthly_price": "18000.00"}, headers=landlord
    )
    assert updated.status_code == 200, updated.text
    timings["update"] = wait_for(api, lambda ids: pid in ids, q=word, price_max=20000)
    # what search shows is what the property service holds
    stored = api.get(f"/api/properties/{pid}/").json()
    hit = next(
        h for h in api.get("/api/search/properties", params={"q": word}).json()["results"]
        if h["id"] == pid
    )  # fmt: skip
    assert hit["title"] == stored["title"]
    assert Decimal(str(hit["monthly_price"])) == Decimal(stored["monthly_price"]) == 18000
    assert hit["city"] == stored["address"]["city"] and hit["bedrooms"] == stored["bedrooms"]
    assert hit["property_type"] == stored["property_type"]
    assert sorted(hit["amenities"]) == sorted(stored["amenities"])

    assert api.post(f"/api/properties/{pid}/unpublish/", headers=landlord).status_code == 200
    timings["unpublish"] = wait_for(api, lambda ids: pid not in ids, q=word)

    assert api.post(f"/api/properties/{pid}/publish/", headers=landlord).status_code == 200
    timings["republish"] = wait_for(api, lambda ids: pid in ids, q=word)

    assert api.delete(f"/api/properties/{pid}/", headers=landlord).status_code == 204
    timings["delete"] = wait_for(api, lambda ids: pid not in ids, q=word)
    assert api.get(f"/api/properties/{pid}/", headers=landlord).status_code == 404
    print("search followed each step in (s):", {k: round(v, 2) for k, v in timings.items()})


def test_suggest_and_bad_parameters_through_the_gateway(api, user):
    landlord, _ = user("landlord")
    word = "Qx" + uuid.uuid4().hex[:6]
    created = api.post("/api/properties/", json=listing(word), headers=landlord).json()
    api.post(
        f"/api/properties/{created['id']}/rooms/",
        json={"name": "Single", "total_units": 1, "monthly_price": "9000.00"},
        headers=landlord,
    )
    assert (
        api.post(f"/api/properties/{created['id']}/publish/", headers=landlord).status_code == 200
    )
    wait_for(api, lambda ids: created["id"] in ids, q=word)
    suggest = api.get("/api/search/suggest", params={"q": "Sunny " + word[:5]})
    assert suggest.status_code == 200, suggest.text
    titles = [s.get("id") for s in suggest.json()["suggestions"] if s["kind"] == "title"]
    assert created["id"] in titles, suggest.json()
    bad = api.get("/api/search/properties", params={"price_min": "cheap"})
    assert bad.status_code == 400
    assert "price_min" in str(bad.json()["error"]["details"])
