"""Properties: lifecycle with its events, permissions, validation, listing."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from properties.models import Property

from tests.conftest import (
    add_room,
    create_property,
    events,
    property_payload,
    published_property,
)
from tests.contract import assert_envelope_is_property_event, assert_snapshot_matches_contract

pytestmark = pytest.mark.django_db


def url(prop_id, suffix=""):
    return f"/api/properties/{prop_id}/{suffix}"


# -- lifecycle and events ------------------------------------------------------------------


def test_lifecycle_publishes_full_snapshots_with_consecutive_versions(landlord, anonymous):
    created = landlord.post("/api/properties/", property_payload(), format="json")
    assert created.status_code == 201
    prop = created.json()
    pid = prop["id"]
    assert created["Location"] == f"/api/properties/{pid}/"
    assert prop["status"] == "draft"
    assert prop["owner_id"] == landlord.user_id
    assert prop["published_at"] is None

    responses = [prop]
    patched = landlord.patch(url(pid), {"title": "Sunnier 2BHK", "bedrooms": 3}, format="json")
    assert patched.status_code == 200
    responses.append(patched.json())
    add_room(landlord, pid)
    responses.append(landlord.get(url(pid)).json())
    published = landlord.post(url(pid, "publish/"))
    assert published.status_code == 200
    responses.append(published.json())
    assert anonymous.get(url(pid)).json() == published.json()
    unpublished = landlord.post(url(pid, "unpublish/"))
    assert unpublished.status_code == 200
    responses.append(unpublished.json())
    last_state = landlord.get(url(pid)).json()
    deleted = landlord.delete(url(pid))
    assert deleted.status_code == 204

    rows = events(pid)
    assert [row.event_type for row in rows] == [
        "property.created",
        "property.updated",
        "property.updated",
        "property.published",
        "property.unpublished",
        "property.deleted",
    ]
    assert [row.version for row in rows] == [1, 2, 3, 4, 5, 6]
    for row in rows:
        assert_envelope_is_property_event(row)
    # What the API answered is exactly what was published, step by step.
    for row, response in zip(rows, responses, strict=False):
        assert row.payload == response
    assert [row.payload["status"] for row in rows] == [
        "draft",
        "draft",
        "draft",
        "published",
        "archived",
        "deleted",
    ]
    assert rows[1].payload["title"] == "Sunnier 2BHK"
    assert rows[1].payload["bedrooms"] == 3
    assert rows[2].payload["rooms"][0]["name"] == "Double room"
    assert rows[3].payload["published_at"] is not None
    final = rows[-1].payload
    assert {k: v for k, v in final.items() if k not in ("status", "updated_at")} == {
        k: v for k, v in last_state.items() if k not in ("status", "updated_at")
    }
    assert final["updated_at"] >= last_state["updated_at"]


def test_snapshot_carries_what_was_sent(landlord):
    prop = create_property(
        landlord,
        amenities=["wifi", "parking", "balcony", "wifi"],
        monthly_price=25000,
        currency="inr",
        address={**property_payload()["address"], "country": "in"},
    )
    assert_snapshot_matches_contract(prop)
    assert prop["amenities"] == ["balcony", "parking", "wifi"]  # sorted, deduplicated
    assert prop["monthly_price"] == "25000.00"
    assert prop["deposit"] == "50000.00"
    assert prop["currency"] == "INR"
    assert prop["address"] == {
        "line1": "12 MG Road",
        "line2": "Flat 4B",
        "locality": "Indiranagar",
        "city": "Bengaluru",
        "state": "Karnataka",
        "postal_code": "560038",
        "country": "IN",
    }
    assert prop["location"] == {"lat": 12.9719, "lon": 77.6412}
    assert prop["available_from"] == "2026-12-01"
    assert prop["area_sqft"] == 1100
    assert prop["furnished"] is True
    assert prop["rooms"] == [] and prop["photos"] == [] and prop["cover_photo_url"] is None
    stored = Property.objects.get(pk=prop["id"])
    assert stored.monthly_price == Decimal("25000.00")
    assert stored.latitude == 12.9719


def test_minimal_draft_has_nulls_where_allowed(landlord):
    response = landlord.post(
        "/api/properties/",
        {
            "title": "Attic",
            "property_type": "room",
            "address": {"line1": "1 Lane", "city": "Pune", "country": "IN"},
            "currency": "INR",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    prop = response.json()
    assert prop["location"] is None and prop["monthly_price"] is None
    assert prop["deposit"] == "0.00" and prop["amenities"] == [] and prop["area_sqft"] is None
    assert_snapshot_matches_contract(prop)
    assert events(prop["id"])[0].payload == prop


def test_patch_address_merges_and_noop_patch_publishes_nothing(landlord):
    prop = create_property(landlord)
    response = landlord.patch(url(prop["id"]), {"address": {"city": "Mysuru"}}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["address"] == {**prop["address"], "city": "Mysuru"}
    assert len(events(prop["id"])) == 2
    same = landlord.patch(url(prop["id"]), {"address": {"city": "Mysuru"}}, format="json")
    assert same.status_code == 200
    assert len(events(prop["id"])) == 2


def test_deleted_property_is_gone_for_everybody(landlord, admin, anonymous):
    prop = published_property(landlord)
    assert landlord.delete(url(prop["id"])).status_code == 204
    for client in (landlord, admin, anonymous):
        assert client.get(url(prop["id"])).status_code == 404
    assert landlord.patch(url(prop["id"]), {"title": "Back"}, format="json").status_code == 404
    assert landlord.post(url(prop["id"], "publish/")).status_code == 404
    assert landlord.delete(url(prop["id"])).status_code == 404
    assert landlord.get(url(prop["id"], "rooms/")).status_code == 404
    assert anonymous.get("/api/properties/").json()["count"] == 0
    assert landlord.get("/api/properties/?owner=me").json()["count"] == 0
    stored = Property.objects.get(pk=prop["id"])
    assert stored.status == "deleted" and stored.deleted_at is not None
    assert events(prop["id"])[-1].payload["status"] == "deleted"


# -- transitions -------------------------------------------------------------------------


def test_publish_requires_location_price_and_a_room(landlord):
    prop = create_property(landlord, location=None, monthly_price=None)
    response = landlord.post(url(prop["id"], "publish/"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "not_publishable"
    assert set(error["details"]) == {"location", "monthly_price", "rooms"}
    landlord.patch(
        url(prop["id"]),
        {"location": {"lat": 12.9, "lon": 77.6}, "monthly_price": "100.00"},
        format="json",
    )
    response = landlord.post(url(prop["id"], "publish/"))
    assert response.status_code == 409
    assert set(response.json()["error"]["details"]) == {"rooms"}
    add_room(landlord, prop["id"])
    assert landlord.post(url(prop["id"], "publish/")).status_code == 200
    assert [e.event_type for e in events(prop["id"])][-1] == "property.published"


def test_illegal_transitions_are_409(landlord):
    prop = create_property(landlord)
    response = landlord.post(url(prop["id"], "unpublish/"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    assert response.json()["error"]["details"] == {
        "status": "draft",
        "target": "archived",
        "allowed_from": ["published"],
    }
    add_room(landlord, prop["id"])
    assert landlord.post(url(prop["id"], "publish/")).status_code == 200
    again = landlord.post(url(prop["id"], "publish/"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"
    assert again.json()["error"]["details"]["allowed_from"] == ["draft", "archived"]
    assert landlord.post(url(prop["id"], "unpublish/")).status_code == 200
    assert landlord.post(url(prop["id"], "unpublish/")).status_code == 409
    republished = landlord.post(url(prop["id"], "publish/"))  # archived -> published
    assert republished.status_code == 200
    assert republished.json()["status"] == "published"
    versions = [e.version for e in events(prop["id"])]
    assert versions == list(range(1, len(versions) + 1))


def test_published_property_must_stay_publishable(landlord):
    prop = published_property(landlord)
    for change in ({"location": None}, {"monthly_price": None}):
        response = landlord.patch(url(prop["id"]), change, format="json")
        assert response.status_code == 409, change
        assert response.json()["error"]["code"] == "not_publishable"
    stored = Property.objects.get(pk=prop["id"])
    assert stored.latitude is not None and stored.monthly_price is not None


# -- permissions ------------------------------------------------------------------------


def test_tenant_cannot_create_or_edit(tenant, landlord):
    assert tenant.post("/api/properties/", property_payload(), format="json").status_code == 403
    published = published_property(landlord)
    draft = create_property(landlord)
    before = len(events(published["id"]))
    response = tenant.patch(url(published["id"]), {"title": "Mine now"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert tenant.delete(url(published["id"])).status_code == 403
    assert tenant.post(url(published["id"], "unpublish/")).status_code == 403
    assert tenant.patch(url(draft["id"]), {"title": "x"}, format="json").status_code == 403
    assert len(events(published["id"])) == before
    assert Property.objects.get(pk=published["id"]).title == published["title"]


def test_anonymous_cannot_write(anonymous):
    response = anonymous.post("/api/properties/", property_payload(), format="json")
    assert response.status_code == 401
    assert Property.objects.count() == 0


def test_other_landlord_gets_403_on_visible_and_404_on_hidden(landlord, other_landlord):
    published = published_property(landlord)
    draft = create_property(landlord)
    response = other_landlord.patch(url(published["id"]), {"title": "Hijack"}, format="json")
    assert response.status_code == 403
    assert other_landlord.delete(url(published["id"])).status_code == 403
    assert other_landlord.post(url(published["id"], "unpublish/")).status_code == 403
    assert other_landlord.post(url(published["id"], "rooms/"), {}, format="json").status_code == 403
    # A draft is not visible to them at all: 404, so its existence does not leak.
    assert other_landlord.get(url(draft["id"])).status_code == 404
    assert other_landlord.patch(url(draft["id"]), {"title": "x"}, format="json").status_code == 404
    assert other_landlord.post(url(draft["id"], "publish/")).status_code == 404
    assert other_landlord.delete(url(draft["id"])).status_code == 404
    assert Property.objects.get(pk=published["id"]).title == published["title"]
    assert Property.objects.get(pk=draft["id"]).status == "draft"


def test_admin_may_change_any_property(landlord, admin):
    prop = published_property(landlord)
    response = admin.patch(url(prop["id"]), {"title": "Moderated title"}, format="json")
    assert response.status_code == 200
    assert response.json()["owner_id"] == landlord.user_id
    assert admin.post(url(prop["id"], "unpublish/")).status_code == 200
    assert admin.get(url(prop["id"])).status_code == 200  # archived, still visible to admin


def test_reads_follow_visibility(landlord, other_landlord, tenant, anonymous, admin):
    published = published_property(landlord)
    draft = create_property(landlord)
    for client in (anonymous, tenant, other_landlord, landlord, admin):
        response = client.get(url(published["id"]))
        assert response.status_code == 200
        assert response.json() == published
    for client in (anonymous, tenant, other_landlord):
        response = client.get(url(draft["id"]))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert client.get(url(draft["id"], "rooms/")).status_code == 404
        assert client.get(url(draft["id"], "photos/")).status_code == 404
    for client in (landlord, admin):
        assert client.get(url(draft["id"])).json() == draft


# -- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"location": {"lat": 91, "lon": 10}}, ("location", "lat")),
        ({"location": {"lat": -90.5, "lon": 10}}, ("location", "lat")),
        ({"location": {"lat": 10, "lon": 180.01}}, ("location", "lon")),
        ({"location": {"lat": 10}}, ("location", "lon")),
        ({"location": {"lat": "nan", "lon": 1}}, ("location", "lat")),
        ({"location": {"lat": True, "lon": 1}}, ("location", "lat")),
        ({"location": [12, 77]}, ("location",)),
        ({"monthly_price": "-5"}, ("monthly_price",)),
        ({"monthly_price": 0}, ("monthly_price",)),
        ({"monthly_price": "1e30"}, ("monthly_price",)),
        ({"monthly_price": "12.345"}, ("monthly_price",)),
        ({"monthly_price": "Infinity"}, ("monthly_price",)),
        ({"deposit": "-1"}, ("deposit",)),
        ({"currency": "ABC"}, ("currency",)),
        ({"currency": "DOLLARS"}, ("currency",)),
        ({"address": {"line1": "x", "city": "y", "country": "XX"}}, ("address", "country")),
        ({"address": {"city": "y", "country": "IN"}}, ("address", "line1")),
        ({"bedrooms": 10**30}, ("bedrooms",)),
        ({"bedrooms": -1}, ("bedrooms",)),
        ({"bathrooms": 1.5}, ("bathrooms",)),
        ({"area_sqft": 0}, ("area_sqft",)),
        ({"property_type": "castle"}, ("property_type",)),
        ({"available_from": "2026-13-45"}, ("available_from",)),
        ({"amenities": "wifi"}, ("amenities",)),
        ({"title": ""}, ("title",)),
        ({"title": "x" * 201}, ("title",)),
        ({"lattitude": 12}, ("lattitude",)),
        ({"status": "published"}, ("status",)),
        ({"owner_id": "someone-else"}, ("owner_id",)),
    ],
)
def test_bad_input_is_400_naming_the_field(landlord, overrides, path):
    response = landlord.post("/api/properties/", property_payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    details = error["details"]
    for key in path:
        assert key in details, (path, details)
        details = details[key]
    assert Property.objects.count() == 0


def test_unknown_amenity_is_named(landlord):
    response = landlord.post(
        "/api/properties/", property_payload(amenities=["wifi", "jacuzzi"]), format="json"
    )
    assert response.status_code == 400
    assert "jacuzzi" in response.json()["error"]["details"]["amenities"][0]


def test_missing_required_fields_are_named(landlord):
    response = landlord.post("/api/properties/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {
        "title",
        "property_type",
        "address",
        "currency",
    }


def test_patch_validation_and_no_event_on_bad_input(landlord):
    prop = create_property(landlord)
    response = landlord.patch(url(prop["id"]), {"location": {"lat": 91, "lon": 0}}, format="json")
    assert response.status_code == 400
    assert "lat" in response.json()["error"]["details"]["location"]
    response = landlord.patch(url(prop["id"]), {"location": {"lon": 5}}, format="json")
    assert response.status_code == 400
    assert "lat" in response.json()["error"]["details"]["location"]
    assert len(events(prop["id"])) == 1


def test_malformed_requests_are_4xx_not_500(landlord):
    response = landlord.post("/api/properties/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    response = landlord.post("/api/properties/", [1, 2], format="json")
    assert response.status_code == 400
    assert landlord.get("/api/properties/not-a-uuid/").status_code == 404
    assert landlord.patch("/api/properties/12345/", {}, format="json").status_code == 404
    assert landlord.get(f"/api/properties/{uuid.uuid4()}/").status_code == 404
    assert landlord.get(f"/api/properties/{uuid.uuid4()}").status_code == 404  # no slash
    response = landlord.post(
        "/api/properties/", data="title=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


# -- listing ----------------------------------------------------------------------------


def test_listing_shows_published_to_everybody_and_own_with_owner_me(
    landlord, other_landlord, anonymous, tenant, admin
):
    mine_published = published_property(landlord, monthly_price="30000.00")
    mine_draft = create_property(landlord, title="Draft")
    theirs = published_property(
        other_landlord,
        monthly_price="10000.00",
        address={**property_payload()["address"], "city": "Chennai"},
    )
    create_property(other_landlord, title="Their draft")
    gone = published_property(landlord)
    landlord.delete(url(gone["id"]))

    def ids(response):
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    public = {mine_published["id"], theirs["id"]}
    for client in (anonymous, tenant, landlord, admin):
        assert ids(client.get("/api/properties/")) == public
    assert ids(landlord.get("/api/properties/?owner=me")) == {
        mine_published["id"],
        mine_draft["id"],
    }
    assert ids(landlord.get("/api/properties/?owner=me&status=draft")) == {mine_draft["id"]}
    assert ids(landlord.get("/api/properties/?status=draft")) == {mine_draft["id"]}
    assert ids(tenant.get("/api/properties/?status=draft")) == set()
    assert len(ids(admin.get("/api/properties/?status=draft"))) == 2
    assert ids(anonymous.get(f"/api/properties/?owner={other_landlord.user_id}")) == {theirs["id"]}
    assert ids(anonymous.get("/api/properties/?city=chennai")) == {theirs["id"]}
    assert ids(anonymous.get("/api/properties/?city=CHENNAI")) == {theirs["id"]}

    by_price = anonymous.get("/api/properties/?ordering=price").json()["results"]
    assert [p["id"] for p in by_price] == [theirs["id"], mine_published["id"]]
    by_price_desc = anonymous.get("/api/properties/?ordering=-price").json()["results"]
    assert [p["id"] for p in by_price_desc] == [mine_published["id"], theirs["id"]]
    newest = anonymous.get("/api/properties/").json()["results"]
    assert [p["id"] for p in newest] == [theirs["id"], mine_published["id"]]
    oldest = anonymous.get("/api/properties/?ordering=created").json()["results"]
    assert [p["id"] for p in oldest] == [mine_published["id"], theirs["id"]]
    # List items are the same snapshot as the detail.
    assert newest[0] == anonymous.get(url(theirs["id"])).json()


def test_listing_is_paginated(landlord, anonymous):
    for i in range(23):
        create_property(landlord, title=f"Home {i}")
    first = landlord.get("/api/properties/?owner=me").json()
    assert first["count"] == 23 and len(first["results"]) == 20 and first["next"]
    second = landlord.get("/api/properties/?owner=me&page=2").json()
    assert len(second["results"]) == 3
    assert not {p["id"] for p in first["results"]} & {p["id"] for p in second["results"]}
    assert landlord.get("/api/properties/?owner=me&page=9").status_code == 404


@pytest.mark.parametrize(
    ("query", "status_code", "field"),
    [
        ("status=deleted", 400, "status"),
        ("status=bogus", 400, "status"),
        ("ordering=title", 400, "ordering"),
        ("owner=me", 401, None),  # anonymous
    ],
)
def test_listing_bad_filters(anonymous, query, status_code, field):
    response = anonymous.get(f"/api/properties/?{query}")
    assert response.status_code == status_code, response.content
    if field:
        assert field in response.json()["error"]["details"]


# --- time zones ---------------------------------------------------------------------------


def test_the_time_zone_follows_the_location_until_the_landlord_sets_one(landlord):
    body = {**property_payload(), "location": {"lat": 40.7128, "lon": -74.0060}}
    created = landlord.post("/api/properties/", body, format="json")
    assert created.status_code == 201, created.json()
    pid = created.json()["id"]
    assert created.json()["time_zone"] == "America/New_York"
    moved = landlord.patch(f"/api/properties/{pid}/", {"location": {"lat": 51.5, "lon": -0.12}},
                           format="json")  # fmt: skip
    assert moved.json()["time_zone"] == "Europe/London"
    chosen = landlord.patch(f"/api/properties/{pid}/", {"time_zone": "Asia/Kolkata"},
                            format="json")  # fmt: skip
    assert chosen.json()["time_zone"] == "Asia/Kolkata"
    moved_again = landlord.patch(f"/api/properties/{pid}/", {"location": {"lat": 35.68,
                                 "lon": 139.69}}, format="json")  # fmt: skip
    assert moved_again.json()["time_zone"] == "Asia/Kolkata"  # the landlord's choice stays
    handed_back = landlord.patch(f"/api/properties/{pid}/", {"time_zone": ""}, format="json")
    assert handed_back.json()["time_zone"] == "Asia/Tokyo"
    assert events(pid)[-1].payload["time_zone"] == "Asia/Tokyo"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "UTC+5", "../../etc/passwd", "x" * 65])
def test_an_unknown_time_zone_is_400(landlord, zone):
    response = landlord.post(
        "/api/properties/", {**property_payload(), "time_zone": zone}, format="json"
    )
    assert response.status_code == 400
    assert "time_zone" in response.json()["error"]["details"]


def test_a_draft_without_a_location_has_no_time_zone(landlord):
    body = property_payload()
    body.pop("location", None)
    created = landlord.post("/api/properties/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["time_zone"] is None
