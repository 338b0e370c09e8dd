"""No double booking, decided by PostgreSQL: 50 requests at once for a private slot (the
exclusion constraint lets one in), for an open house of capacity 4 (the capacity row
lets four in), and reschedules racing requests. Each request is a real API call on its
own thread and database connection (rentezy_common.testing.concurrency.run_together)."""

from __future__ import annotations

import pytest
from visits.models import Capacity, Visit

from rentezy_common.testing.clients import GatewayClient
from rentezy_common.testing.concurrency import run_together
from tests.conftest import new_user_id, request_visit, slot_at

pytestmark = pytest.mark.django_db(transaction=True)


def race(prop, start: str, n: int):
    def attempt():
        response = request_visit(GatewayClient(user_id=new_user_id(), role="tenant"), prop, start)
        return response.status_code, response.json()

    return run_together([attempt for _ in range(n)])


def test_50_requests_for_a_private_slot_one_wins(make_property):
    prop = make_property(buffer_before_minutes=5, buffer_after_minutes=5)
    start = slot_at(prop, hour=10, minute=5)  # a 40-minute step from 08:00, 5 minutes in
    answers = race(prop, start, 50)
    codes = [a[0] if isinstance(a, tuple) else a for a in answers]
    assert codes.count(201) == 1, codes
    assert codes.count(409) == 49
    assert {a[1]["error"]["code"] for a in answers if a[0] == 409} == {"slot_taken"}
    assert Visit.objects.filter(status__in=("PENDING", "CONFIRMED")).count() == 1


def test_50_requests_for_an_open_house_of_4_four_win(make_property):
    prop = make_property(weekly=[
        {"weekday": d, "start": "10:00", "end": "12:00", "capacity": 4} for d in range(1, 8)
    ])  # fmt: skip
    start = slot_at(prop, hour=10)
    answers = race(prop, start, 50)
    codes = [a[0] if isinstance(a, tuple) else a for a in answers]
    assert codes.count(201) == 4, codes
    assert codes.count(409) == 46
    active = Visit.objects.filter(status__in=("PENDING", "CONFIRMED"))
    assert active.count() == 4 and {v.slot_key for v in active} == {active[0].slot_key}
    row = Capacity.objects.get(property=prop, scope="slot")
    assert (row.taken, row.capacity) == (4, 4)


def test_confirmed_and_pending_never_exceed_capacity(make_property, landlord):
    """Confirmations, cancellations and new requests racing on one open house."""
    prop = make_property(weekly=[
        {"weekday": d, "start": "10:00", "end": "12:00", "capacity": 3} for d in range(1, 8)
    ])  # fmt: skip
    start = slot_at(prop, hour=11)
    first = [a[1]["id"] for a in race(prop, start, 3) if a[0] == 201]
    assert len(first) == 3

    def owner():
        return GatewayClient(user_id=landlord.user_id, role="landlord")

    def confirm(visit_id):
        return lambda: owner().post(f"/api/visits/requests/{visit_id}/confirm/").status_code

    def cancel(visit_id):
        return lambda: owner().post(f"/api/visits/requests/{visit_id}/cancel/",
                                    {"reason": "x"}, format="json").status_code  # fmt: skip

    def request():
        client = GatewayClient(user_id=new_user_id(), role="tenant")
        return request_visit(client, prop, start).status_code

    results = run_together([confirm(first[0]), cancel(first[1]), *[request] * 20])
    assert results[:2] == [200, 200]
    # At most the one place the cancellation gave back (none if every request came
    # before the cancellation committed); everyone else: 409.
    won = results[2:].count(201)
    assert won <= 1 and results[2:].count(409) == 20 - won
    active = Visit.objects.filter(status__in=("PENDING", "CONFIRMED"))
    assert active.count() == 2 + won
    assert Capacity.objects.get(property=prop, scope="slot").taken == 2 + won


def test_reschedules_racing_into_one_slot_one_wins(make_property):
    prop = make_property()
    visits = []
    for hour in (9, 10, 11, 12, 13, 14):
        client = GatewayClient(user_id=new_user_id(), role="tenant")
        response = request_visit(client, prop, slot_at(prop, hour=hour))
        visits.append((client, response.json()["id"]))
    target = slot_at(prop, hour=16)

    def move(client, visit_id):
        return lambda: client.post(f"/api/visits/requests/{visit_id}/reschedule/",
                                   {"start": target}, format="json").status_code  # fmt: skip

    codes = run_together([move(c, v) for c, v in visits])
    assert sorted(codes) == [200] + [409] * 5
