"""Idempotency-Key on property_service's POSTs: a retried create, room or publish changes
nothing twice and gets the first answer (rentezy_common.idempotency)."""

from __future__ import annotations

import pytest
from properties.models import Property, Room

from rentezy_common.testing.clients import GatewayClient
from rentezy_common.testing.concurrency import run_together
from tests.conftest import ROOM, add_room, create_property, events, new_user_id, property_payload

pytestmark = pytest.mark.django_db


def post(client, path, body=None, key="retry-1"):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_create_makes_one_property_and_one_event(landlord):
    first = post(landlord, "/api/properties/", property_payload())
    again = post(landlord, "/api/properties/", property_payload())
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"] == f"/api/properties/{first.json()['id']}/"
    assert again["Idempotent-Replayed"] == "true"
    assert Property.objects.count() == 1
    assert [e.event_type for e in events(first.json()["id"])] == ["property.created"]


def test_the_key_with_another_listing_is_a_422(landlord):
    post(landlord, "/api/properties/", property_payload())
    other = post(landlord, "/api/properties/", property_payload(title="Another flat"))
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Property.objects.count() == 1


def test_a_retried_room_and_publish_act_once(landlord):
    prop = create_property(landlord)
    room_path = f"/api/properties/{prop['id']}/rooms/"
    rooms = [post(landlord, room_path, ROOM, key="room-1") for _ in range(2)]
    assert [r.status_code for r in rooms] == [201, 201]
    assert rooms[1].json()["id"] == rooms[0].json()["id"]
    assert Room.objects.filter(property_id=prop["id"]).count() == 1
    publish = f"/api/properties/{prop['id']}/publish/"
    answers = [post(landlord, publish, key="publish-1") for _ in range(2)]
    # Without the key the second publish would be a 409 (already published).
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[1].json() == answers[0].json()
    assert [e.event_type for e in events(prop["id"])].count("property.published") == 1
    assert landlord.post(publish).status_code == 409


def test_a_refused_request_keeps_its_key_free(landlord, tenant):
    assert post(tenant, "/api/properties/", property_payload()).status_code == 403
    bad = post(landlord, "/api/properties/", property_payload(bedrooms=-1))
    assert bad.status_code == 400
    assert post(landlord, "/api/properties/", property_payload()).status_code == 201
    add_room(landlord, Property.objects.get().id)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_make_one_property():
    owner = new_user_id()

    def attempt():
        client = GatewayClient(user_id=owner, role="landlord")
        answer = post(client, "/api/properties/", property_payload(), key="double-click")
        return answer.status_code, answer.json()["id"]

    results = run_together([attempt] * 6)
    assert all(not isinstance(r, Exception) for r in results), results
    assert {r for r in results} == {(201, str(Property.objects.get().id))}
