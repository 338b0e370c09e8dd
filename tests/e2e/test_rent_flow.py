"""Rent through the gateway: a booking confirmed (booking's simulator, Stripe-signed)
reaches rent_service through booking-events and becomes a lease with its first,
prorated invoice, settled by the checkout's payment (the rest is credit); the daily
cycle (run as an operator would, for the day the next invoice is issued) issues the
next one with the credit applied; the tenant pays part of it through rent's payment
simulator (a signed webhook through the gateway) and downloads the receipt; the
landlord's rent roll shows it; and the booking cancelled before move-in ends the lease.
Between them: booking's and rent's web, relay, consumer and worker processes."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from test_booking_flow import bookable, pay, publish_listing, wait_until

from rentezy_common.testing.processes import manage


def move_in_on_the_30th() -> date:
    """The next 30th at least two days ahead: the due day is capped at 28, so the first
    period (the 30th to the 28th) is prorated."""
    day = date.today() + timedelta(days=2)
    while day.day != 30:
        day += timedelta(days=1)
    return day


def test_a_confirmed_booking_becomes_a_lease_that_collects_rent(api, user, platform):
    landlord, _ = user("landlord")
    tenant, tenant_user = user("tenant")
    _, room_id = publish_listing(api, landlord, "zr" + uuid.uuid4().hex[:6], units=1)
    bookable(api, room_id, tenant, units=1)
    move_in = move_in_on_the_30th()
    held = api.post(
        "/api/bookings/",
        json={"room_id": room_id, "quantity": 1, "move_in_date": move_in.isoformat()},
        headers={**tenant, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert held.status_code == 201, held.text
    booking = held.json()
    pay(api, tenant, booking["id"])

    # The lease appears, from booking-events.
    def the_lease():
        found = api.get("/api/rent/leases/", headers=tenant)
        assert found.status_code == 200, found.text
        return found.json()["results"]

    [lease], _ = wait_until(the_lease, "the lease from booking.confirmed")
    assert (lease["booking_id"], lease["tenant_id"], lease["status"]) == (
        booking["id"], str(tenant_user["id"]), "upcoming",
    )  # fmt: skip
    assert (lease["due_day"], lease["start_date"]) == (28, move_in.isoformat())
    assert lease["time_zone"] == "Asia/Kolkata"  # from property-events
    invoices = api.get("/api/rent/invoices/", params={"lease_id": lease["id"]}, headers=tenant)
    [first] = invoices.json()["results"]
    assert first["prorated"] and first["status"] == "paid"
    assert Decimal(first["rent"]) < Decimal(lease["monthly_rent"])
    credit = Decimal(lease["monthly_rent"]) - Decimal(first["rent"])
    assert Decimal(lease["credit"]) == credit

    # The daily cycle on the day the second invoice is issued (a week before it is due).
    issue_day = date.fromisoformat(first["period_end"]) - timedelta(days=7)
    manage("rent_service", "run_rent_cycle", "--date", issue_day.isoformat(),
           env=platform["rent"].env)  # fmt: skip
    invoices = api.get("/api/rent/invoices/", params={"lease_id": lease["id"]}, headers=tenant)
    second = invoices.json()["results"][0]
    assert second["period_start"] == first["period_end"] and not second["prorated"]
    assert (second["status"], Decimal(second["paid"])) == ("partially_paid", credit)

    # The tenant pays part of it; Stripe's signed webhook reaches rent through the gateway.
    started = api.post(
        f"/api/rent/invoices/{second['id']}/pay/", json={"amount": "5000.00"},
        headers={**tenant, "Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert started.status_code == 201, started.text
    payment = started.json()
    simulated = api.post(
        f"/api/rent/payments/{payment['id']}/simulate/", json={"outcome": "succeeded"},
        headers=tenant,
    )  # fmt: skip
    assert simulated.status_code == 200, simulated.text
    assert simulated.json()["webhook"] == {"status": 200,
                                           "response": {"received": True, "result": "settled"}}  # fmt: skip
    after = api.get(f"/api/rent/invoices/{second['id']}/", headers=tenant).json()
    assert after["status"] == "partially_paid"
    assert Decimal(after["paid"]) == credit + Decimal("5000.00")
    receipt = api.get(f"/api/rent/payments/{payment['id']}/receipt.pdf", headers=tenant)
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")
    roll = api.get("/api/rent/roll/", params={"month": second["period_start"][:7]},
                   headers=landlord)  # fmt: skip
    assert roll.status_code == 200, roll.text
    assert [r["invoice_id"] for r in roll.json()["rows"]] == [second["id"]]

    # The landlord cancels the booking before move-in: the lease ends with it.
    cancelled = api.post(f"/api/bookings/{booking['id']}/cancel/", headers=landlord)
    assert cancelled.status_code == 200, cancelled.text
    ended, _ = wait_until(
        lambda: (
            (x := api.get(f"/api/rent/leases/{lease['id']}/", headers=tenant).json())["status"]
            == "terminated"
            and x
        ),
        "the lease ending with booking.cancelled",
    )
    assert ended["end_reason"] == "booking_cancelled_before_move_in"
