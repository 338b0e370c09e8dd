"""Room inventory follows property-events: new rooms, total changes, unpublishing,
removed rooms, stale versions; every availability change emits `inventory.changed`."""

from __future__ import annotations

import pytest
from bookings.models import Room

from tests.conftest import apply, book, inventory_events, property_snapshot, room_entry

pytestmark = pytest.mark.django_db


def test_published_property_creates_bookable_rooms_with_all_units_free(landlord):
    entry = room_entry(4, price="9000.00", deposit="1000.00")
    snapshot = property_snapshot(owner_id=landlord.user_id, rooms=[entry])
    apply(snapshot, version=1)
    room = Room.objects.get(pk=entry["id"])
    assert (room.total_units, room.available_units, room.bookable) == (4, 4, True)
    assert str(room.monthly_price) == "9000.00" and room.owner_id == landlord.user_id
    [event] = inventory_events(room.id)
    assert event.event_type == "inventory.changed" and event.topic == "booking-events"
    assert event.payload == {
        "room_id": entry["id"], "property_id": snapshot["id"], "total_units": 4,
        "available_units": 4, "bookable": True,
    }  # fmt: skip


def test_draft_rooms_exist_but_cannot_be_booked(landlord, tenant):
    entry = room_entry(2)
    apply(property_snapshot(owner_id=landlord.user_id, rooms=[entry], status="draft"), 1)
    response = book(tenant, entry["id"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_bookable"


def test_total_change_moves_availability_by_the_difference(landlord, tenant):
    entry = room_entry(5)
    snapshot = property_snapshot(owner_id=landlord.user_id, rooms=[entry])
    apply(snapshot, 1)
    assert book(tenant, entry["id"], 2).status_code == 201
    entry["total_units"] = 8
    apply(snapshot, 2)
    room = Room.objects.get(pk=entry["id"])
    assert (room.total_units, room.available_units) == (8, 6)
    entry["total_units"] = 3
    apply(snapshot, 3)
    room.refresh_from_db()
    assert (room.total_units, room.available_units, room.refused_total_units) == (3, 1, None)
    events = inventory_events(entry["id"])
    assert [e.payload["available_units"] for e in events] == [5, 3, 6, 1]
    assert [e.version for e in events] == [1, 2, 3, 4]  # the room's own counter


def test_total_below_held_units_is_refused_and_reported(landlord, tenant):
    entry = room_entry(5)
    snapshot = property_snapshot(owner_id=landlord.user_id, rooms=[entry])
    apply(snapshot, 1)
    assert book(tenant, entry["id"], 3).status_code == 201
    entry["total_units"] = 2  # 3 are held
    apply(snapshot, 2)
    room = Room.objects.get(pk=entry["id"])
    assert (room.total_units, room.available_units, room.refused_total_units) == (5, 2, 2)
    availability = tenant.get(f"/api/bookings/rooms/{room.id}/availability/").json()
    assert availability["refused_total_units"] == 2 and availability["held_units"] == 3
    entry["total_units"] = 4  # fits: the refusal clears
    apply(snapshot, 3)
    room.refresh_from_db()
    assert (room.total_units, room.available_units, room.refused_total_units) == (4, 1, None)


def test_stale_or_replayed_property_event_changes_nothing(landlord):
    entry = room_entry(5)
    snapshot = property_snapshot(owner_id=landlord.user_id, rooms=[entry])
    apply(snapshot, 1)
    entry["total_units"] = 9
    apply(snapshot, 3)
    entry["total_units"] = 2
    apply(snapshot, 2)  # older than 3
    apply(snapshot, 3)  # a replay of 3
    room = Room.objects.get(pk=entry["id"])
    assert (room.total_units, room.available_units) == (9, 9)
    assert len(inventory_events(entry["id"])) == 2


def test_unpublish_delete_and_removed_rooms_stop_new_bookings(landlord, tenant):
    kept, removed = room_entry(3), room_entry(3)
    snapshot = property_snapshot(owner_id=landlord.user_id, rooms=[kept, removed])
    apply(snapshot, 1)
    snapshot["rooms"] = [kept]
    apply(snapshot, 2)
    assert Room.objects.get(pk=removed["id"]).bookable is False
    assert book(tenant, removed["id"]).json()["error"]["code"] == "not_bookable"
    assert book(tenant, kept["id"]).status_code == 201
    snapshot["status"] = "archived"
    apply(snapshot, 3, "property.unpublished")
    assert book(tenant, kept["id"]).status_code == 409
    snapshot["status"] = "published"
    apply(snapshot, 4)
    assert book(tenant, kept["id"]).status_code == 201
    apply(snapshot, 5, "property.deleted")  # the contract: deleted, whatever the status says
    assert Room.objects.get(pk=kept["id"]).bookable is False
    assert [e.payload["bookable"] for e in inventory_events(removed["id"])] == [True, False]


def test_malformed_snapshot_is_rejected_without_changes(landlord):
    from rentezy_common.events.consumer import RejectedEvent

    snapshot = property_snapshot(owner_id=landlord.user_id, rooms=[{"id": "x"}])
    with pytest.raises(RejectedEvent):
        apply(snapshot, 1)
    assert not Room.objects.exists()
