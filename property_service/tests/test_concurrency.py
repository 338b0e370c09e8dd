"""Concurrent changes of one property: every event is a state that really existed.

Real threads, real PostgreSQL connections, committed transactions (transaction=True).
Without the property row lock, two edits would each start from the same old row (one
edit lost), and a snapshot could miss a room another transaction was adding (an event
showing a state that never existed).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from properties.models import Property

from rentezy_common.testing.clients import GatewayClient
from rentezy_common.testing.concurrency import run_together
from tests.conftest import ROOM, create_property, events, image_bytes
from tests.contract import assert_envelope_is_property_event

pytestmark = pytest.mark.django_db(transaction=True)


# Each PATCH changes a different field; all of them must survive, and every snapshot must
# hold the changes of exactly the PATCHes committed before it.
PATCHES = {
    "title": "Concurrent title",
    "description": "Concurrent description",
    "bedrooms": 7,
    "bathrooms": 5,
    "area_sqft": 4321,
    "house_rules": "Concurrent rules",
    "furnished": False,
    "monthly_price": "31337.00",
}


def test_concurrent_patches_produce_consecutive_real_states(landlord):
    prop = create_property(landlord)
    pid = prop["id"]
    assert all(prop[field] != value for field, value in PATCHES.items())

    def patch(field, value):
        client = GatewayClient(user_id=landlord.user_id, role="landlord")
        return client.patch(f"/api/properties/{pid}/", {field: value}, format="json")

    results = run_together([lambda f=f, v=v: patch(f, v) for f, v in PATCHES.items()])
    assert [getattr(r, "status_code", r) for r in results] == [200] * len(PATCHES)

    rows = events(pid)
    assert [row.version for row in rows] == list(range(1, len(PATCHES) + 2))
    assert [row.event_type for row in rows[1:]] == ["property.updated"] * len(PATCHES)
    applied_before: set[str] = set()
    for row in rows[1:]:
        assert_envelope_is_property_event(row)
        applied = {f for f, v in PATCHES.items() if row.payload[f] == v}
        # Exactly one more change than the previous event, none lost or reverted.
        assert applied_before < applied and len(applied) == len(applied_before) + 1
        applied_before = applied
    assert applied_before == set(PATCHES)

    final = landlord.get(f"/api/properties/{pid}/").json()
    assert rows[-1].payload == final
    assert all(final[field] == value for field, value in PATCHES.items())


def test_concurrent_room_additions_each_see_all_earlier_rooms(landlord):
    prop = create_property(landlord)
    pid = prop["id"]
    count = 6

    def add(i):
        client = GatewayClient(user_id=landlord.user_id, role="landlord")
        return client.post(
            f"/api/properties/{pid}/rooms/", {**ROOM, "name": f"Room {i}"}, format="json"
        )

    results = run_together([lambda i=i: add(i) for i in range(count)])
    assert [getattr(r, "status_code", r) for r in results] == [201] * count

    rows = events(pid)
    assert [row.version for row in rows] == list(range(1, count + 2))
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=1):
        ids = {room["id"] for room in row.payload["rooms"]}
        assert len(ids) == number and seen < ids
        seen = ids
    assert rows[-1].payload == landlord.get(f"/api/properties/{pid}/").json()
    assert Property.objects.get(pk=pid).rooms.count() == count


def test_concurrent_photo_uploads_get_distinct_positions_and_one_cover(landlord):
    """Position and cover are decided from the photos already there: only the row lock
    keeps two uploads from both taking position 0 and both becoming the cover."""
    prop = create_property(landlord)
    pid = prop["id"]
    count = 4

    def upload():
        client = GatewayClient(user_id=landlord.user_id, role="landlord")
        data = image_bytes("PNG", size=(20, 20))
        return client.post(
            f"/api/properties/{pid}/photos/",
            {"file": SimpleUploadedFile("p.png", data, content_type="image/png")},
            format="multipart",
        )

    results = run_together([upload] * count)
    assert [getattr(r, "status_code", r) for r in results] == [201] * count
    rows = events(pid)
    assert [row.version for row in rows] == list(range(1, count + 2))
    for number, row in enumerate(rows[1:], start=1):
        photos = row.payload["photos"]
        assert [p["position"] for p in photos] == list(range(number))
        assert [p["is_cover"] for p in photos] == [True] + [False] * (number - 1)
    assert rows[-1].payload == landlord.get(f"/api/properties/{pid}/").json()


def test_concurrent_rooms_with_one_name_give_one_room_and_a_400(landlord):
    prop = create_property(landlord)
    pid = prop["id"]

    def add():
        client = GatewayClient(user_id=landlord.user_id, role="landlord")
        return client.post(f"/api/properties/{pid}/rooms/", ROOM, format="json")

    results = run_together([add] * 3)
    assert sorted(getattr(r, "status_code", r) for r in results) == [201, 400, 400]
    assert Property.objects.get(pk=pid).rooms.count() == 1
    assert [row.version for row in events(pid)] == [1, 2]


def test_concurrent_publish_and_delete_serialize(landlord):
    """Publish and delete racing: whichever commits second sees the first's result, so
    the last event is the final state (deleted) and versions stay consecutive."""
    prop = create_property(landlord)
    pid = prop["id"]
    client = GatewayClient(user_id=landlord.user_id, role="landlord")
    client.post(f"/api/properties/{pid}/rooms/", ROOM, format="json")

    def publish():
        return GatewayClient(user_id=landlord.user_id, role="landlord").post(
            f"/api/properties/{pid}/publish/"
        )

    def delete():
        return GatewayClient(user_id=landlord.user_id, role="landlord").delete(
            f"/api/properties/{pid}/"
        )

    published, deleted = run_together([publish, delete])
    assert deleted.status_code == 204
    assert published.status_code in (200, 404)  # 404 if the delete committed first
    rows = events(pid)
    assert [row.version for row in rows] == list(range(1, len(rows) + 1))
    assert rows[-1].event_type == "property.deleted"
    assert rows[-1].payload["status"] == "deleted"
    if published.status_code == 200:
        assert rows[-2].event_type == "property.published"
        assert published.json() == {**rows[-2].payload}
    assert Property.objects.get(pk=pid).status == "deleted"
