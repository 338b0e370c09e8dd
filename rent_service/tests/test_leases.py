"""Leases: from booking-events (once per booking; the checkout's payment settles the
first period; cancelled before move-in, it ends), by hand, their terms, notice,
renewal, termination and the deposit; the state machine's 409s; who sees what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from leases.models import Lease, Payment, Person

from tests.conftest import (
    booking_payload,
    deliver_booking,
    entries,
    invoices,
    lease_from_booking,
    make_lease,
    publish_property,
    rent_events,
    run,
)

pytestmark = pytest.mark.django_db


def next_day(day: int, after: date | None = None) -> date:
    """The next date falling on `day` of its month (skipping months without it)."""
    d = (after or date.today()) + timedelta(days=10)
    while True:
        try:
            candidate = d.replace(day=day)
        except ValueError:
            d = (d.replace(day=1) + timedelta(days=32)).replace(day=1)
            continue
        if candidate > (after or date.today()):
            return candidate
        d = (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def test_a_confirmed_booking_becomes_a_lease_with_its_first_period_paid(tenant, landlord):
    move_in = next_day(10)
    property_id = publish_property(owner_id=landlord.user_id, time_zone="Asia/Kolkata")
    lease = lease_from_booking(tenant, landlord, move_in, property_id=property_id)
    assert (lease.status, lease.due_day, lease.time_zone) == ("upcoming", 10, "Asia/Kolkata")
    assert (lease.monthly_rent, lease.deposit_held) == (Decimal("30000.00"), Decimal("60000.00"))
    [invoice] = invoices(lease)
    assert (invoice.period_start, invoice.status, invoice.prorated) == (move_in, "paid", False)
    assert entries(lease.id) == [
        ("rent", Decimal("30000.00"), move_in), ("payment", Decimal("-30000.00"), move_in),
    ]  # fmt: skip
    payment = Payment.objects.get(lease=lease)
    assert (payment.kind, payment.status, payment.booking_id) == ("checkout", "succeeded",
                                                                  lease.booking_id)  # fmt: skip
    assert [e.event_type for e in rent_events(lease.id)] == [
        "lease.created", "invoice.issued", "payment.succeeded", "invoice.paid",
    ]  # fmt: skip
    assert [e.version for e in rent_events(lease.id)] == [1, 2, 3, 4]
    # The tenant and the landlord see it, nobody else does.
    assert tenant.get(f"/api/rent/leases/{lease.id}/").json()["balance"] == "0.00"
    (listed,) = landlord.get("/api/rent/leases/").json()["results"]
    assert (listed["id"], listed["tenant_name"]) == (str(lease.id), "")  # not heard of yet
    Person.objects.create(id=tenant.user_id, full_name="Asha Rao", email="asha@example.com")
    assert landlord.get("/api/rent/leases/").json()["results"][0]["tenant_name"] == "Asha Rao"


def test_a_move_in_on_the_31st_is_prorated_and_the_rest_is_credit(tenant, landlord):
    move_in = next_day(31)
    lease = lease_from_booking(tenant, landlord, move_in)
    assert lease.due_day == 28
    [first] = invoices(lease)
    assert first.prorated and first.status == "paid"
    body = tenant.get(f"/api/rent/leases/{lease.id}/").json()
    rent = Decimal(tenant.get(f"/api/rent/invoices/{first.id}/").json()["rent"])
    assert Decimal(body["credit"]) == Decimal("30000.00") - rent > 0
    # The next invoice takes the credit when it is issued.
    second_start = first.period_end
    run(second_start - timedelta(days=7))
    second = invoices(lease)[1]
    assert second.status == "partially_paid"
    shown = tenant.get(f"/api/rent/invoices/{second.id}/").json()
    assert Decimal(shown["paid"]) == Decimal("30000.00") - rent
    assert tenant.get(f"/api/rent/leases/{lease.id}/").json()["credit"] == "0.00"
    assert "credit.applied" in [e.event_type for e in rent_events(lease.id)]


def test_the_same_booking_event_twice_makes_one_lease(tenant, landlord):
    payload = booking_payload(tenant_id=tenant.user_id, owner_id=landlord.user_id,
                              move_in=next_day(5))  # fmt: skip
    deliver_booking(payload)
    deliver_booking(payload)
    assert Lease.objects.filter(booking_id=payload["id"]).count() == 1
    assert Payment.objects.filter(booking_id=payload["id"]).count() == 1


def test_cancelled_before_move_in_ends_the_lease_and_settles_everything(tenant, landlord):
    payload = booking_payload(tenant_id=tenant.user_id, owner_id=landlord.user_id,
                              move_in=next_day(12))  # fmt: skip
    deliver_booking(payload)
    # The tenant's late cancellation: the deposit and half the month back.
    cancelled = {**payload, "status": "CANCELLED", "amount_refunded": "75000.00"}
    deliver_booking(cancelled, "booking.cancelled")
    lease = Lease.objects.get(booking_id=payload["id"])
    assert lease.status == "terminated"
    assert lease.end_reason == "booking_cancelled_before_move_in"
    assert [i.status for i in invoices(lease)] == ["void"]
    shown = tenant.get(f"/api/rent/leases/{lease.id}/").json()
    assert (shown["balance"], shown["credit"]) == ("0.00", "0.00")
    assert shown["deposit"]["returned_amount"] == "60000.00"
    assert rent_events(lease.id)[-1].event_type == "lease.terminated"
    # Again: nothing more.
    deliver_booking(cancelled, "booking.refunded")
    assert rent_events(lease.id)[-1].event_type == "lease.terminated"


def test_a_landlord_types_in_a_lease_and_edits_it_before_it_starts(tenant, landlord, other_tenant):
    start = date.today() + timedelta(days=40)
    lease = make_lease(landlord, tenant.user_id, start_date=start, due_day=1,
                       late_fee_kind="flat", late_fee_amount="500.00")  # fmt: skip
    assert lease.status == "upcoming" and lease.invoices.count() == 0
    response = landlord.patch(f"/api/rent/leases/{lease.id}/",
                              {"monthly_rent": "32000.00", "grace_days": 3}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["monthly_rent"] == "32000.00"
    assert response.json()["late_fee"]["grace_days"] == 3
    # A tenant may not, another tenant does not even see it.
    assert tenant.patch(f"/api/rent/leases/{lease.id}/", {"grace_days": 1},
                        format="json").status_code == 403  # fmt: skip
    assert other_tenant.get(f"/api/rent/leases/{lease.id}/").status_code == 404
    # Once invoiced, the money terms are locked.
    run(start - timedelta(days=7))
    assert lease.invoices.count() == 1
    locked = landlord.patch(f"/api/rent/leases/{lease.id}/", {"monthly_rent": "1.00"},
                            format="json")  # fmt: skip
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "terms_locked"


def test_a_lease_on_someone_elses_property_is_refused(landlord, tenant):
    other_property = publish_property(owner_id="someone-else")
    response = landlord.post("/api/rent/leases/", {
        "tenant_id": tenant.user_id, "property_id": other_property, "currency": "INR",
        "monthly_rent": "100.00", "start_date": date.today().isoformat(),
    }, format="json")  # fmt: skip
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "property_not_found"
    assert tenant.post("/api/rent/leases/", {}, format="json").status_code == 403


def test_notice_ends_the_lease_and_prorates_its_last_period(tenant, landlord):
    today = date.today()
    lease = make_lease(landlord, tenant.user_id, start_date=today, due_day=min(today.day, 28),
                       notice_days=30)  # fmt: skip
    run(today)
    response = tenant.post(f"/api/rent/leases/{lease.id}/notice/", {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ending" and body["notice_given_by"] == "tenant"
    assert body["end_date"] == (today + timedelta(days=30)).isoformat()
    # A second notice is an illegal transition.
    again = tenant.post(f"/api/rent/leases/{lease.id}/notice/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    # The cycle issues the last (prorated) period, then ends the lease after its last day.
    end = date.fromisoformat(body["end_date"])
    for offset in range(0, 40):
        run(today + timedelta(days=offset))
    lease.refresh_from_db()
    assert lease.status == "ended" and lease.ended_on == end
    last = invoices(lease)[-1]
    assert last.period_end == end + timedelta(days=1)


def test_renewal_and_termination(tenant, landlord):
    today = date.today()
    lease = make_lease(landlord, tenant.user_id, start_date=today,
                       end_date=today + timedelta(days=200), notice_days=30)  # fmt: skip
    renewed = landlord.post(f"/api/rent/leases/{lease.id}/renew/",
                            {"end_date": (today + timedelta(days=500)).isoformat(),
                             "monthly_rent": "31000.00"}, format="json")  # fmt: skip
    assert renewed.status_code == 200, renewed.json()
    assert renewed.json()["monthly_rent"] == "31000.00"
    assert tenant.post(f"/api/rent/leases/{lease.id}/renew/", {"end_date": None},
                       format="json").status_code == 403  # fmt: skip
    ended = landlord.post(f"/api/rent/leases/{lease.id}/terminate/", {"reason": "sold"},
                          format="json")  # fmt: skip
    assert ended.status_code == 200 and ended.json()["status"] == "terminated"
    again = landlord.post(f"/api/rent/leases/{lease.id}/terminate/", {}, format="json")
    assert again.status_code == 409


def test_the_deposit_comes_back_minus_itemized_deductions(tenant, landlord):
    lease = lease_from_booking(tenant, landlord, next_day(3))
    url = f"/api/rent/leases/{lease.id}/deposit/return/"
    early = landlord.post(url, {"deductions": []}, format="json")
    assert early.status_code == 409  # not before the lease ends
    landlord.post(f"/api/rent/leases/{lease.id}/terminate/", {}, format="json")
    too_much = landlord.post(url, {"deductions": [{"description": "x", "amount": "60000.01"}]},
                             format="json")  # fmt: skip
    assert too_much.status_code == 400
    done = landlord.post(url, {"deductions": [
        {"description": "Repainting the bedroom", "amount": "4500.00", "kind": "damage"},
        {"description": "Cleaning", "amount": "1500.00", "kind": "cleaning"},
    ]}, format="json")  # fmt: skip
    assert done.status_code == 200, done.json()
    deposit = tenant.get(f"/api/rent/leases/{lease.id}/").json()["deposit"]
    assert deposit["returned_amount"] == "54000.00" and len(deposit["deductions"]) == 2
    assert deposit["deductions"][0]["description"] == "Repainting the bedroom"
    assert landlord.post(url, {"deductions": []}, format="json").status_code == 409
    assert rent_events(lease.id)[-1].event_type == "deposit.returned"


def test_property_time_zone_follows_the_property(tenant, landlord):
    property_id = publish_property(owner_id=landlord.user_id, time_zone=None)
    lease = lease_from_booking(tenant, landlord, next_day(7), property_id=property_id)
    assert lease.time_zone == "UTC"  # an older event without a zone
    publish_property(owner_id=landlord.user_id, time_zone="America/New_York", version=2,
                     property_id=property_id)  # fmt: skip
    lease.refresh_from_db()
    assert lease.time_zone == "America/New_York"
    publish_property(owner_id=landlord.user_id, time_zone="Europe/Paris", version=1,
                     property_id=property_id)  # an old version: ignored  # fmt: skip
    lease.refresh_from_db()
    assert lease.time_zone == "America/New_York"
