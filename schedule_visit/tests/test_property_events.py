"""property-events -> properties: owner, state and zone; stale versions; unpublishing
or deleting a property cancels its upcoming visits, and both sides learn why."""

from __future__ import annotations

import pytest
from visits.models import Property, Visit

from rentezy_common.events.consumer import RejectedEvent
from tests.conftest import apply, property_snapshot, request_visit, slot_at, visit_events

pytestmark = pytest.mark.django_db


def test_a_snapshot_gives_owner_state_and_zone(landlord):
    snapshot = property_snapshot(owner_id=landlord.user_id, time_zone="Europe/London")
    apply(snapshot, 1)
    prop = Property.objects.get(pk=snapshot["id"])
    assert (prop.owner_id, prop.status, prop.time_zone, prop.version) == (
        landlord.user_id, "published", "Europe/London", 1,
    )  # fmt: skip
    assert prop.address == "12 MG Road, Indiranagar, Bengaluru, 560038"


def test_stale_or_replayed_events_change_nothing(landlord):
    snapshot = property_snapshot(owner_id=landlord.user_id)
    apply(snapshot, 3)
    snapshot["title"] = "Older title"
    apply(snapshot, 2)
    apply(snapshot, 3)
    assert Property.objects.get(pk=snapshot["id"]).title == "Sunny flat near the park"


def test_a_snapshot_without_a_known_zone_means_utc(landlord, anonymous):
    for zone in (None, "Mars/Olympus_Mons"):
        snapshot = property_snapshot(owner_id=landlord.user_id, time_zone=zone)
        apply(snapshot, 1)
        assert Property.objects.get(pk=snapshot["id"]).time_zone == ""
        body = anonymous.get(f"/api/visits/properties/{snapshot['id']}/slots/").json()
        assert body["time_zone"] == "UTC"


@pytest.mark.parametrize(
    ("event_type", "status", "reason"),
    [
        ("property.unpublished", "archived", "property_unpublished"),
        ("property.deleted", "published", "property_deleted"),  # deleted, whatever the status
    ],
)
def test_unpublishing_cancels_upcoming_visits_with_a_reason(
    tenant, other_tenant, landlord, make_property, event_type, status, reason
):
    prop = make_property()
    pending = request_visit(tenant, prop, slot_at(prop, hour=9)).json()["id"]
    confirmed = request_visit(other_tenant, prop, slot_at(prop, hour=10)).json()["id"]
    landlord.post(f"/api/visits/requests/{confirmed}/confirm/")
    declined = request_visit(tenant, prop, slot_at(prop, hour=11)).json()["id"]
    landlord.post(f"/api/visits/requests/{declined}/decline/")

    snapshot = property_snapshot(owner_id=landlord.user_id, status=status, property_id=str(prop.id))
    apply(snapshot, 2, event_type)

    for visit_id in (pending, confirmed):
        visit = Visit.objects.get(pk=visit_id)
        assert (visit.status, visit.reason, visit.ended_by) == ("CANCELLED", reason, "system")
        event = visit_events(visit_id)[-1]
        assert event.event_type == "visit.cancelled"
        # Both sides are named in the event: notifications reach the tenant and the landlord.
        assert event.payload["reason"] == reason and event.payload["actor_role"] == "system"
        assert event.payload["tenant_id"] and event.payload["owner_id"] == landlord.user_id
    assert Visit.objects.get(pk=declined).status == "DECLINED"  # ended already: untouched
    refused = request_visit(tenant, prop, slot_at(prop, hour=12))
    assert refused.status_code in (404, 409)
    # Published again: bookable again; the cancelled visits stay cancelled.
    snapshot["status"] = "published"
    if event_type != "property.deleted":
        apply(snapshot, 3, "property.published")
        assert request_visit(tenant, prop, slot_at(prop, hour=9)).status_code == 201


def test_malformed_snapshots_are_rejected_without_changes(landlord):
    from django.db import transaction
    from visits.handlers import on_property_event

    from tests.conftest import property_envelope

    envelope = property_envelope(property_snapshot(owner_id=landlord.user_id), 1)
    envelope.payload.pop("id")
    with pytest.raises(RejectedEvent), transaction.atomic():
        on_property_event(envelope)
    snapshot = property_snapshot(owner_id=landlord.user_id, time_zone=["Asia/Kolkata"])
    with pytest.raises(RejectedEvent):
        apply(snapshot, 1)
    assert not Property.objects.exists()
