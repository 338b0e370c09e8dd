"""Across real processes: many gunicorn workers taking holds at once, a real Celery
worker expiring them, the sweeper repairing lost expiry tasks, the simulator delivering
a signed webhook over HTTP, and the inventory consumer reading real Kafka."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from bookings.models import Booking, Room
from django.conf import settings
from django.db import connection

from rentezy_common.events.consumer import get_consumer
from rentezy_common.gateway import sign_request
from rentezy_common.logs import new_request_id
from rentezy_common.testing import kafka
from rentezy_common.testing.processes import ServiceProcess, free_port, settings_database_url
from tests.conftest import (
    book,
    celery_worker,
    expire_now,
    move_in,
    property_envelope,
    property_snapshot,
    purge_queue,
    room_entry,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_SECONDS = 15  # longer than the 200-request burst takes on 2 busy CPUs (2-8 s seen)


def call(base: str, method: str, path: str, body=None, *, user_id=None, role=None):
    """One request on its own connection, signed as the gateway signs."""
    headers = {
        "Content-Type": "application/json",
        **sign_request(
            secret=settings.GATEWAY_SIGNING_SECRETS[0], method=method, path=path,
            user_id=user_id, role=role, request_id=new_request_id(),
        ),
    }  # fmt: skip
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def services_env(django_db_setup, django_db_blocker):
    return {
        "DATABASE_URL": settings_database_url(),
        "BOOKING_HOLD_SECONDS": str(HOLD_SECONDS),
        "BOOKING_SWEEP_GRACE_SECONDS": "1",
    }


@pytest.fixture
def web(services_env):
    purge_queue()
    server = ServiceProcess.gunicorn(
        "booking_service", workers=4, env=services_env, name="booking-web"
    ).start()
    yield server
    server.stop()


@pytest.fixture
def worker(services_env):
    process = celery_worker(services_env).start()
    yield process
    process.stop()
    purge_queue()


def test_200_concurrent_holds_for_5_units_sell_exactly_5_then_expire_back(web, worker, make_room):
    room = make_room(5)
    path = "/api/bookings/"
    lowest = {"available": room.total_units}
    done = threading.Event()

    def watch():  # availability sampled during the burst: never below zero
        while not done.is_set():
            value = Room.objects.values_list("available_units", flat=True).get(pk=room.id)
            lowest["available"] = min(lowest["available"], value)
            time.sleep(0.002)
        connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = threading.Barrier(200)

    def attempt(i: int):
        body = {"room_id": str(room.id), "quantity": 1, "move_in_date": move_in()}
        start.wait()
        return call(web.url, "POST", path, body, user_id=str(10_000 + i), role="tenant")

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=200) as pool:
        answers = list(pool.map(attempt, range(200)))
    burst = time.monotonic() - began
    done.set()
    watcher.join()

    codes = [status for status, _ in answers]
    assert codes.count(201) == 5, codes
    assert codes.count(409) == 195
    assert {body["error"]["code"] for status, body in answers if status == 409} == {"sold_out"}
    room.refresh_from_db()
    assert burst < HOLD_SECONDS, f"the burst took {burst:.1f} s: holds may have expired in it"
    assert room.available_units == 0 and lowest["available"] >= 0
    assert Booking.objects.filter(status="PENDING").count() == 5

    # Nobody pays: the Celery worker expires every hold at its time, units come back.
    wait_for(lambda: Room.objects.get(pk=room.id).available_units == 5, timeout=HOLD_SECONDS + 30)
    assert set(Booking.objects.values_list("status", flat=True)) == {"EXPIRED"}
    assert set(Booking.objects.values_list("reason", flat=True)) == {"hold_expired"}


def test_sweeper_expires_holds_whose_task_was_lost(web, make_room, services_env):
    room = make_room(2)
    status, body = call(web.url, "POST", "/api/bookings/",
                        {"room_id": str(room.id), "quantity": 2, "move_in_date": move_in()},
                        user_id="4242", role="tenant")  # fmt: skip
    assert status == 201
    purge_queue()  # the scheduled expiry is lost (a broker flushed, a worker gone)
    expire_now(body["id"])  # and its time is up
    time.sleep(2)
    assert Booking.objects.get(pk=body["id"]).status == "PENDING"  # nobody noticed
    # A worker with beat: the periodic sweep finds the overdue hold.
    sweeper = celery_worker({**services_env, "BOOKING_SWEEP_SECONDS": "1"})
    sweeper.argv.append("--beat")
    sweeper.argv.extend(["--schedule", str(sweeper.log_path.with_suffix(".beat"))])
    with sweeper:
        wait_for(lambda: Booking.objects.get(pk=body["id"]).status == "EXPIRED", timeout=30)
    room.refresh_from_db()
    assert room.available_units == 2


def test_simulator_pays_through_the_real_webhook_endpoint(services_env, make_room):
    # The simulator posts to its own service here (there is no gateway in these tests).
    port = free_port()
    env = {
        **services_env,
        "BOOKING_HOLD_SECONDS": "600",
        "PAYMENT_SIMULATOR_WEBHOOK_URL": f"http://127.0.0.1:{port}/api/bookings/stripe/webhook/",
    }
    with ServiceProcess.gunicorn("booking_service", port=port, env=env, name="booking-sim") as web:
        room = make_room(3)
        status, body = call(web.url, "POST", "/api/bookings/",
                            {"room_id": str(room.id), "quantity": 1, "move_in_date": move_in()},
                            user_id="5151", role="tenant")  # fmt: skip
        assert status == 201
        status, result = call(web.url, "POST", f"/api/bookings/{body['id']}/simulate-payment/",
                              {"outcome": "paid"}, user_id="5151", role="tenant")  # fmt: skip
        assert status == 200, result
        assert result["webhook"] == {
            "status": 200,
            "response": {"received": True, "result": "confirmed"},
        }
        assert result["booking"]["status"] == "CONFIRMED"
        # Somebody else's booking: not found.
        status, _ = call(web.url, "POST", f"/api/bookings/{body['id']}/simulate-payment/",
                         {"outcome": "paid"}, user_id="5152", role="tenant")  # fmt: skip
        assert status == 404
    purge_queue()


def test_simulator_is_off_in_production_settings(tenant, room, settings):
    settings.PAYMENT_SIMULATOR_ENABLED = False
    booking = book(tenant, room.id).json()["id"]
    response = tenant.post(f"/api/bookings/{booking}/simulate-payment/", {}, format="json")
    assert response.status_code == 404
    purge_queue()


def test_inventory_consumer_builds_rooms_from_real_kafka(kafka_topic, landlord):
    import dataclasses

    topic = kafka_topic("property-events-booking-test", partitions=3)
    spec = dataclasses.replace(
        get_consumer("inventory"), name=f"test-{uuid.uuid4().hex[:8]}", topics=[topic]
    )
    entry = room_entry(4)
    snapshot = property_snapshot(owner_id=landlord.user_id, rooms=[entry])
    first = property_envelope(snapshot, 1)
    entry["total_units"] = 6
    second = property_envelope(snapshot, 2)
    # Delivered twice, and the newer one before a replay of the older one.
    kafka.produce(topic, [first, second, second, first])
    runner = kafka.run_consumer(spec, messages=4)
    assert not runner.stop.is_set()
    room = Room.objects.get(pk=entry["id"])
    assert (room.total_units, room.available_units, room.bookable) == (6, 6, True)
