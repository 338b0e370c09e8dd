"""Booking through the gateway, with real tokens: a landlord's published room reaches
booking_service's inventory through Kafka, tenants hold and pay for its units (the
payment simulator posts a Stripe-signed webhook to the gateway), the room sells out,
search stops offering it, and a landlord's cancellation gives a unit back with the
refund issued by the Celery worker. Between them: property_service's relay, the inventory
consumer, booking_service's web, relay and worker, stripe-mock, the availability consumer
of search_consumer, Elasticsearch and search_service, each a real process."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from rentezy_common.testing import users
from rentezy_common.testing.users import listing_payload

# Seconds for anything that crosses Kafka: generous for a loaded CI box, and for the
# first test, whose consumers may still be joining their groups.
LIMIT = 20.0
POLL = 0.25  # seconds between polls: a user may make 100 requests a minute


def wait_until(probe, what: str, limit: float = LIMIT):
    """Call `probe` until it returns something truthy; (value, seconds taken)."""
    started = time.monotonic()
    while True:
        value = probe()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > limit:
            raise AssertionError(f"{what}: not within {limit:.0f} s")
        time.sleep(POLL)


def publish_listing(api, landlord: dict, word: str, units: int) -> tuple[str, str]:
    """A published property with one room of `units` units: (property id, room id)."""
    payload = listing_payload(word, title=f"Shared {word} flat by the park",
                              property_type="shared")  # fmt: skip
    return users.publish_listing(api, landlord, payload, units=units)


def availability(api, room_id: str, headers: dict) -> dict | None:
    response = api.get(f"/api/bookings/rooms/{room_id}/availability/", headers=headers)
    if response.status_code == 404:  # the room has not reached booking_service yet
        return None
    assert response.status_code == 200, response.text
    return response.json()


def bookable(api, room_id: str, headers: dict, units: int) -> float:
    """Wait until booking_service offers all `units` of the room; seconds taken."""
    _, took = wait_until(
        lambda: (
            (a := availability(api, room_id, headers))
            and a["bookable"]
            and a["available_units"] == units
        ),
        "the room's inventory through property-events",
    )
    return took


def book(api, headers: dict, room_id: str, key: str | None = None, quantity: int = 1):
    return api.post(
        "/api/bookings/",
        json={
            "room_id": room_id,
            "quantity": quantity,
            "move_in_date": (date.today() + timedelta(days=30)).isoformat(),
        },
        headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())},
    )


def pay(api, headers: dict, booking_id: str) -> dict:
    """The payment simulator: a signed checkout.session.completed, via the gateway."""
    paid = api.post(
        f"/api/bookings/{booking_id}/simulate-payment/", json={"outcome": "paid"}, headers=headers
    )
    assert paid.status_code == 200, paid.text
    result = paid.json()
    assert result["webhook"] == {"status": 200, "response": {"received": True,
                                                             "result": "confirmed"}}  # fmt: skip
    return result


def get_booking(api, headers: dict, booking_id: str) -> dict:
    response = api.get(f"/api/bookings/{booking_id}/", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def search_hit(api, headers: dict, pid: str, word: str, **params) -> dict | None:
    """The listing's hit in a search for its word, or None."""
    response = api.get("/api/search/properties", params={"q": word, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return next((hit for hit in response.json()["results"] if hit["id"] == pid), None)


def test_tenants_book_pay_and_sell_out_a_room_through_the_gateway(api, user):
    landlord, landlord_user = user("landlord")
    tenant, tenant_user = user("tenant")
    other, _ = user("tenant")
    word = "zb" + uuid.uuid4().hex[:6]  # a word only this listing has
    pid, room_id = publish_listing(api, landlord, word, units=2)
    # The tenant waits for the room to reach booking_service; the other tenant browses
    # search meanwhile (each user has a rate limit of their own).
    timings = {"inventory": bookable(api, room_id, tenant, units=2)}
    # search offers it as available (all units free: no booking yet)
    hit, timings["search"] = wait_until(
        lambda: search_hit(api, other, pid, word, available="true"), "the listing in search"
    )
    assert hit["id"] == pid and hit["available_units"] == 2

    # A tenant holds one unit; a retry with the same Idempotency-Key is the same booking.
    key = str(uuid.uuid4())
    first = book(api, tenant, room_id, key)
    assert first.status_code == 201, first.text
    booking = first.json()
    assert booking["status"] == "PENDING" and booking["checkout_url"], booking
    assert booking["tenant_id"] == str(tenant_user["id"])
    assert booking["owner_id"] == str(landlord_user["id"])
    assert booking["property_id"] == pid and booking["room_id"] == room_id
    assert Decimal(booking["amount"]) == Decimal("36000.00")  # a month plus the deposit
    replay = book(api, tenant, room_id, key)
    assert replay.status_code == 201, replay.text
    assert replay.json()["id"] == booking["id"]
    assert replay.headers.get("Idempotent-Replayed") == "true"
    # the same key for another request is refused, not silently replayed
    assert book(api, tenant, room_id, key, quantity=2).status_code == 422
    assert availability(api, room_id, tenant)["available_units"] == 1

    # Paying: Stripe's signed webhook reaches booking_service through the gateway.
    paid = pay(api, tenant, booking["id"])
    assert paid["booking"]["status"] == "CONFIRMED"
    confirmed = get_booking(api, tenant, booking["id"])
    assert confirmed["status"] == "CONFIRMED"
    assert Decimal(confirmed["amount_paid"]) == Decimal(confirmed["amount"])
    # the landlord sees it among their bookings; another tenant cannot see it
    listed = api.get("/api/bookings/", params={"property_id": pid}, headers=landlord)
    assert listed.status_code == 200, listed.text
    assert [b["id"] for b in listed.json()["results"]] == [booking["id"]]
    assert api.get(f"/api/bookings/{booking['id']}/", headers=other).status_code == 404
    assert api.get("/api/bookings/", headers=other).json()["results"] == []

    # Another tenant holds the last unit: a third attempt finds the room sold out.
    last = book(api, other, room_id)
    assert last.status_code == 201, last.text
    sold_out = book(api, tenant, room_id)
    assert sold_out.status_code == 409, sold_out.text
    assert sold_out.json()["error"]["code"] == "sold_out"
    pay(api, other, last.json()["id"])
    room = availability(api, room_id, tenant)
    assert (room["available_units"], room["held_units"], room["booked_units"]) == (0, 0, 2)

    # Search follows booking-events: the listing is no longer offered as available,
    # and still found without that filter.
    _, timings["sold_out_in_search"] = wait_until(
        lambda: search_hit(api, other, pid, word, available="true") is None,
        "the sold-out listing dropping out of available=true",
    )
    assert search_hit(api, other, pid, word)["available_units"] == 0

    # The landlord cancels the first booking: everything back to the tenant (the refund
    # goes to Stripe from the Celery worker), the unit is free again, and searchable.
    # The landlord follows the refund.
    cancelled = api.post(f"/api/bookings/{booking['id']}/cancel/", headers=landlord)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "CANCELLED"
    assert cancelled.json()["amount_refunded"] == confirmed["amount_paid"]
    assert cancelled.json()["refund_status"] == "pending"
    _, timings["refund"] = wait_until(
        lambda: get_booking(api, landlord, booking["id"])["refund_status"] == "succeeded",
        "the refund issued by the worker",
    )
    assert get_booking(api, tenant, booking["id"])["amount_refunded"] == confirmed["amount_paid"]
    assert availability(api, room_id, tenant)["available_units"] == 1
    hit, timings["available_again_in_search"] = wait_until(
        lambda: search_hit(api, other, pid, word, available="true"), "the listing back in search"
    )
    assert hit["id"] == pid and hit["available_units"] == 1
    print("followed in (s):", {k: round(v, 2) for k, v in timings.items()})


def test_an_unpaid_hold_expires_by_itself_and_a_late_payment_still_gets_the_unit(api, user):
    """The expiry task queued with the hold runs on the real Celery worker at
    `expires_at`: the unit comes back to booking and to search without anybody asking;
    the tenant who pays afterwards still gets it, since it is free."""
    landlord, _ = user("landlord")
    tenant, _ = user("tenant")
    word = "zx" + uuid.uuid4().hex[:6]
    pid, room_id = publish_listing(api, landlord, word, units=1)
    bookable(api, room_id, tenant, units=1)

    held = book(api, tenant, room_id)
    assert held.status_code == 201, held.text
    booking = held.json()
    assert booking["status"] == "PENDING"
    assert availability(api, room_id, tenant)["available_units"] == 0
    wait_until(
        lambda: search_hit(api, tenant, pid, word, available="true") is None,
        "the held listing dropping out of available=true",
    )

    expires_at = datetime.fromisoformat(booking["expires_at"])
    hold = (expires_at - datetime.fromisoformat(booking["created_at"])).total_seconds()
    assert 5 <= hold <= 60, f"the e2e booking service holds for {hold} s"  # conftest's setting
    wait_until(
        lambda: get_booking(api, tenant, booking["id"])["status"] == "EXPIRED",
        "the hold expiring",
        limit=hold + LIMIT,
    )
    assert datetime.now(UTC) >= expires_at, "expired before its time"
    after = get_booking(api, tenant, booking["id"])
    assert after["reason"] == "hold_expired"
    room = availability(api, room_id, tenant)
    assert (room["available_units"], room["held_units"], room["booked_units"]) == (1, 0, 0)
    wait_until(
        lambda: search_hit(api, tenant, pid, word, available="true"),
        "the listing back in search after the expiry",
    )

    # Paid after all (the checkout page was still open): the free unit is taken again.
    paid = api.post(
        f"/api/bookings/{booking['id']}/simulate-payment/", json={"outcome": "paid"},
        headers=tenant,
    )  # fmt: skip
    assert paid.status_code == 200, paid.text
    assert get_booking(api, tenant, booking["id"])["status"] == "CONFIRMED"
    room = availability(api, room_id, tenant)
    assert (room["available_units"], room["held_units"], room["booked_units"]) == (0, 0, 1)


def test_a_forged_stripe_webhook_through_the_gateway_changes_nothing(api, user):
    landlord, _ = user("landlord")
    tenant, _ = user("tenant")
    _, room_id = publish_listing(api, landlord, "zf" + uuid.uuid4().hex[:6], units=1)
    bookable(api, room_id, landlord, units=1)
    held = book(api, tenant, room_id)
    assert held.status_code == 201, held.text
    booking = held.json()

    # What Stripe would send when it is paid, signed with a secret that is not the
    # endpoint's; then with a signature that is no signature, and with none.
    event = json.dumps(
        {
            "id": f"evt_forged_{uuid.uuid4().hex}",
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "livemode": False,
            "data": {
                "object": {
                    "id": f"cs_forged_{uuid.uuid4().hex[:24]}",
                    "object": "checkout.session",
                    "client_reference_id": booking["id"],
                    "metadata": {"booking_id": booking["id"]},
                    "payment_status": "paid",
                    "status": "complete",
                    "amount_total": 3_600_000,
                    "currency": "inr",
                }
            },
        }
    ).encode()
    for signature in (forged_signature(event), "t=1,v1=00", None):
        headers = {"Content-Type": "application/json"}
        if signature:
            headers["Stripe-Signature"] = signature
        answer = api.post("/api/bookings/stripe/webhook/", content=event, headers=headers)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "invalid_signature"

    after = get_booking(api, tenant, booking["id"])
    assert after["status"] == "PENDING" and after["amount_paid"] == "0.00"
    assert after["updated_at"] == booking["updated_at"]
    room = availability(api, room_id, tenant)
    assert (room["available_units"], room["held_units"], room["booked_units"]) == (0, 1, 0)


def forged_signature(payload: bytes) -> str:
    """A well-formed Stripe-Signature (current timestamp, v1 HMAC-SHA256) made with the
    wrong secret."""
    timestamp = int(time.time())
    mac = hmac.new(b"whsec_forged", f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
