"""Room types: CRUD, inherited deposit, events with the rooms in the snapshot."""

from __future__ import annotations

import uuid

import pytest
from properties.models import Room

from tests.conftest import ROOM, add_room, create_property, events, published_property
from tests.contract import assert_envelope_is_property_event

pytestmark = pytest.mark.django_db


def rooms_url(prop_id, room_id=None):
    base = f"/api/properties/{prop_id}/rooms/"
    return f"{base}{room_id}/" if room_id else base


def test_room_crud_publishes_property_updated_with_rooms(landlord, anonymous):
    prop = published_property(landlord, deposit="50000.00")
    first = prop["rooms"][0]
    assert first == {
        "id": first["id"],
        "name": "Double room",
        "total_units": 3,
        "monthly_price": "12000.00",
        "deposit": "50000.00",  # the property's, by default
        "deposit_inherited": True,
        "currency": "INR",
    }
    start = len(events(prop["id"]))

    single = add_room(
        landlord, prop["id"], name="Single room", monthly_price="8000", deposit="9000"
    )
    assert single["deposit"] == "9000.00" and single["deposit_inherited"] is False
    response = landlord.patch(
        rooms_url(prop["id"], single["id"]), {"total_units": 5}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["total_units"] == 5
    assert landlord.delete(rooms_url(prop["id"], first["id"])).status_code == 204

    rows = events(prop["id"])[start:]
    assert [r.event_type for r in rows] == ["property.updated"] * 3
    assert [r.version for r in rows] == [start + 1, start + 2, start + 3]
    for row in rows:
        assert_envelope_is_property_event(row)
    assert [r["name"] for r in rows[0].payload["rooms"]] == ["Double room", "Single room"]
    assert rows[1].payload["rooms"][1]["total_units"] == 5
    assert [r["id"] for r in rows[2].payload["rooms"]] == [single["id"]]
    assert rows[2].payload["updated_at"] > rows[0].payload["updated_at"]

    listed = anonymous.get(rooms_url(prop["id"]))
    assert listed.status_code == 200
    assert listed.json() == rows[2].payload["rooms"]
    assert anonymous.get(rooms_url(prop["id"], single["id"])).json() == listed.json()[0]
    assert anonymous.get(rooms_url(prop["id"], first["id"])).status_code == 404


def test_inherited_deposit_follows_the_property(landlord):
    prop = create_property(landlord, deposit="1000.00")
    room = add_room(landlord, prop["id"])
    own = add_room(landlord, prop["id"], name="Own deposit", deposit="0")
    response = landlord.patch(f"/api/properties/{prop['id']}/", {"deposit": "2000"}, format="json")
    rooms = {r["id"]: r for r in response.json()["rooms"]}
    assert rooms[room["id"]]["deposit"] == "2000.00"
    assert rooms[own["id"]]["deposit"] == "0.00"
    assert events(prop["id"])[-1].payload["rooms"] == response.json()["rooms"]
    # deposit: null goes back to the property's.
    back = landlord.patch(rooms_url(prop["id"], own["id"]), {"deposit": None}, format="json")
    assert back.json()["deposit"] == "2000.00" and back.json()["deposit_inherited"] is True


def test_currency_is_the_propertys(landlord):
    prop = create_property(landlord, currency="EUR")
    room = add_room(landlord, prop["id"])
    assert room["currency"] == "EUR"
    response = landlord.post(rooms_url(prop["id"]), {**ROOM, "currency": "USD"}, format="json")
    assert response.status_code == 400
    assert "currency" in response.json()["error"]["details"]
    changed = landlord.patch(f"/api/properties/{prop['id']}/", {"currency": "GBP"}, format="json")
    assert changed.json()["rooms"][0]["currency"] == "GBP"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ROOM, "total_units": 0}, "total_units"),
        ({**ROOM, "total_units": 10**12}, "total_units"),
        ({**ROOM, "monthly_price": "0"}, "monthly_price"),
        ({**ROOM, "monthly_price": "-1"}, "monthly_price"),
        ({**ROOM, "deposit": "-1"}, "deposit"),
        ({**ROOM, "name": ""}, "name"),
        ({"total_units": 1, "monthly_price": "1"}, "name"),
        ({**ROOM, "id": str(uuid.uuid4())}, "id"),
    ],
)
def test_room_validation(landlord, body, field):
    prop = create_property(landlord)
    response = landlord.post(rooms_url(prop["id"]), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert Room.objects.count() == 0
    assert len(events(prop["id"])) == 1


def test_room_names_are_unique_per_property(landlord):
    prop = create_property(landlord)
    add_room(landlord, prop["id"])
    other = add_room(landlord, prop["id"], name="Other")
    response = landlord.post(rooms_url(prop["id"]), ROOM, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]
    rename = landlord.patch(
        rooms_url(prop["id"], other["id"]), {"name": ROOM["name"]}, format="json"
    )
    assert rename.status_code == 400
    # Another property may use the same name.
    add_room(landlord, create_property(landlord)["id"])


def test_last_room_of_a_published_property_cannot_go(landlord):
    prop = published_property(landlord)
    response = landlord.delete(rooms_url(prop["id"], prop["rooms"][0]["id"]))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_publishable"
    assert Room.objects.filter(property_id=prop["id"]).count() == 1
    landlord.post(f"/api/properties/{prop['id']}/unpublish/")
    assert landlord.delete(rooms_url(prop["id"], prop["rooms"][0]["id"])).status_code == 204


def test_room_permissions(landlord, other_landlord, tenant):
    prop = published_property(landlord)
    room_id = prop["rooms"][0]["id"]
    assert tenant.post(rooms_url(prop["id"]), ROOM, format="json").status_code == 403
    assert (
        tenant.patch(rooms_url(prop["id"], room_id), {"total_units": 9}, format="json").status_code
        == 403
    )
    assert (
        other_landlord.patch(
            rooms_url(prop["id"], room_id), {"total_units": 9}, format="json"
        ).status_code
        == 403
    )
    assert other_landlord.delete(rooms_url(prop["id"], room_id)).status_code == 403
    draft = create_property(landlord)
    assert other_landlord.post(rooms_url(draft["id"]), ROOM, format="json").status_code == 404
    assert Room.objects.get(pk=room_id).total_units == 3


def test_room_of_another_property_is_404(landlord):
    one = published_property(landlord)
    two = create_property(landlord)
    room_id = one["rooms"][0]["id"]
    assert landlord.get(rooms_url(two["id"], room_id)).status_code == 404
    assert (
        landlord.patch(rooms_url(two["id"], room_id), {"total_units": 1}, format="json").status_code
        == 404
    )
    assert landlord.delete(rooms_url(two["id"], room_id)).status_code == 404
    assert landlord.get(rooms_url(one["id"], "not-a-uuid")).status_code == 404


def test_room_limit(landlord, settings):
    settings.PROPERTY_ROOM_MAX_COUNT = 2
    prop = create_property(landlord)
    add_room(landlord, prop["id"], name="A")
    add_room(landlord, prop["id"], name="B")
    response = landlord.post(rooms_url(prop["id"]), {**ROOM, "name": "C"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "too_many_rooms"
