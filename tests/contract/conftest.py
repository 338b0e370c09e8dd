"""The platform for the contract suite: every service with an API as its own process
(fresh databases), the gateway with the production routing table in front, users of
each role and a little real data (a published property with a room type and a photo, a
booking, a listing in a search alias of its own, the property's viewing hours, a visit
and a calendar feed)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from dataclasses import dataclass

import httpx
import pytest

from rentezy_common.testing.platform import (
    PASSWORD,
    create_admin,
    databases,
    flush_redis,
    gateway_process,
    redis_url,
    sign_in,
    start,
    stop,
)
from rentezy_common.testing.processes import ServiceProcess, free_port
from rentezy_common.testing.processes import manage as _manage
from rentezy_common.testing.users import client_ip, register_and_login


def sign_up(api, role: str) -> tuple[dict[str, str], dict]:
    return register_and_login(api, role, password=PASSWORD)


RUN = uuid.uuid4().hex[:8]
ALIAS = f"contract-properties-{RUN}"
# booking_service's Celery broker: a Redis database of its own (tests/e2e uses 31), emptied
# before and after; no worker runs here, the hold-expiry tasks just wait there.
BOOKING_BROKER_DB = 30
RENT_BROKER_DB = 28  # rent_service's, likewise (tests/e2e uses 29)
# The limits are configuration (docs/services/gateway.md): high here, so fuzzing is not
# throttled; login, register and refresh keep their own per-IP limits, and each request
# comes from an address of its own (X-Forwarded-For, one trusted hop).
GATEWAY_ENV = {
    "GATEWAY_DEFAULT_RATE_LIMIT": "1000000/minute",
    "GATEWAY_INVALID_TOKEN_LIMIT": "1000000/minute",
    "GATEWAY_OPENAPI_CACHE_SECONDS": "3600",
}
# Served by uvicorn (their Procfiles): directory -> the ASGI application.
ASGI = {
    "chat_service": "config.asgi:application",
    "notification_service": "config.asgi:application",
}


def manage(directory: str, *args: str, env: dict[str, str]) -> None:
    try:
        _manage(directory, *args, env=env)
    except subprocess.CalledProcessError as exc:
        raise AssertionError(f"{directory} manage.py {args[0]}: {exc.stderr[-3000:]}") from None


def _web(directory: str, env: dict, name: str) -> ServiceProcess:
    if directory in ASGI:
        port = free_port()
        return ServiceProcess.python(
            directory, "-m", "uvicorn", ASGI[directory],
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
            port=port, env=env, name=f"contract-{name}",
        )  # fmt: skip
    return ServiceProcess.gunicorn(directory, env=env, workers=1, name=f"contract-{name}")


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    dbs = databases(
        "auth_service",
        "property_service",
        "booking_service",
        "rent_service",
        "schedule_visit",
        "chat_service",
        "notification_service",
        suffix="contract",
    )
    gateway_port = free_port()
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    envs = {
        "auth": dbs["auth_service"],
        "property": {**dbs["property_service"], "PROPERTY_MEDIA_ROOT": str(media)},
        "booking": {
            **dbs["booking_service"],
            "PUBLIC_BASE_URL": gateway_url,
            "PAYMENT_SIMULATOR_WEBHOOK_URL": f"{gateway_url}/api/bookings/stripe/webhook/",
            "REDIS_URL": redis_url("booking", BOOKING_BROKER_DB),
        },
        "search": {"SEARCH_INDEX_ALIAS": ALIAS},
        "rent": {
            **dbs["rent_service"],
            "PUBLIC_BASE_URL": gateway_url,
            "PAYMENT_SIMULATOR_WEBHOOK_URL": f"{gateway_url}/api/rent/stripe/webhook/",
            "REDIS_URL": redis_url("rent", RENT_BROKER_DB),
        },
        "visits": {**dbs["schedule_visit"], "PUBLIC_BASE_URL": gateway_url},
        "chat": {**dbs["chat_service"], "CHAT_MEDIA_ROOT": str(media / "chat")},
        "notification": {**dbs["notification_service"], "PUBLIC_BASE_URL": gateway_url},
    }
    flush_redis(redis_url("booking", BOOKING_BROKER_DB))
    flush_redis(redis_url("rent", RENT_BROKER_DB))
    processes: dict[str, ServiceProcess] = {}
    try:
        start(
            processes,
            auth=_web("auth_service", envs["auth"], "auth"),
            property=_web("property_service", envs["property"], "property"),
            booking=_web("booking_service", envs["booking"], "booking"),
            search=_web("search_service", envs["search"], "search"),
            rent=_web("rent_service", envs["rent"], "rent"),
            visits=_web("schedule_visit", envs["visits"], "visits"),
            chat=_web("chat_service", envs["chat"], "chat"),
            notification=_web("notification_service", envs["notification"], "notification"),
        )
        start(
            processes,
            gateway=gateway_process(
                dict(processes), port=gateway_port, env=GATEWAY_ENV, name="contract-gateway"
            ),
        )
        yield Platform(processes=processes, envs=envs, url=gateway_url)
    finally:
        stop(processes)
        flush_redis(redis_url("booking", BOOKING_BROKER_DB))
        flush_redis(redis_url("rent", RENT_BROKER_DB))
        _drop_alias_indices()


@dataclass
class Platform:
    processes: dict[str, ServiceProcess]
    envs: dict[str, dict[str, str]]
    url: str


def _drop_alias_indices() -> None:
    url = f"http://127.0.0.1:{os.environ.get('ELASTICSEARCH_PORT', '9200')}"
    with httpx.Client(base_url=url, timeout=30) as es:
        response = es.get(f"/_alias/{ALIAS}")
        if response.status_code == 200:
            for index in response.json():
                es.delete(f"/{index}")


@pytest.fixture(scope="session")
def api(platform):
    with httpx.Client(
        base_url=platform.url, timeout=30, headers={"X-Forwarded-For": client_ip()}
    ) as client:
        yield client


@pytest.fixture(scope="session")
def document(api) -> dict:
    response = api.get("/api/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()


@dataclass
class Seed:
    """Tokens of each role (None: anonymous), throwaway sessions for the operations that
    end a session, and ids of real resources for path parameters."""

    tokens: dict[str, dict[str, str]]
    throwaway: dict[str, dict[str, str]]
    path_ids: dict[str, str]


def png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 3), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def seed(platform, api) -> Seed:
    tokens = {role: sign_up(api, role)[0] for role in ("tenant", "landlord")}
    admin_email = create_admin(platform.envs["auth"])
    tokens["admin"] = {"Authorization": f"Bearer {sign_in(api, admin_email)['access']}"}
    throwaway = {role: sign_up(api, role)[0] for role in ("tenant", "landlord")}
    throwaway["admin"] = {
        "Authorization": f"Bearer {sign_in(api, create_admin(platform.envs['auth']))['access']}"
    }
    target_user = sign_up(api, "tenant")[1]  # the one admins (de)activate

    landlord = tokens["landlord"]
    created = api.post(
        "/api/properties/",
        headers=landlord,
        json={
            "title": "Contract flat near the lake",
            "property_type": "apartment",
            "address": {"line1": "1 Lake Road", "city": "Bengaluru", "country": "IN"},
            "location": {"lat": 12.93, "lon": 77.68},
            "currency": "INR",
            "monthly_price": "25000.00",
        },
    )
    assert created.status_code == 201, created.text
    property_id = created.json()["id"]
    room = api.post(
        f"/api/properties/{property_id}/rooms/",
        headers=landlord,
        json={"name": "Double", "total_units": 500, "monthly_price": "12000.00"},
    )
    assert room.status_code == 201, room.text
    photo = api.post(
        f"/api/properties/{property_id}/photos/",
        headers=landlord,
        files={"file": ("p.png", png(), "image/png")},
    )
    assert photo.status_code == 201, photo.text
    published = api.post(f"/api/properties/{property_id}/publish/", headers=landlord)
    assert published.status_code == 200, published.text
    snapshot = published.json()

    # What the Kafka consumers would do, done directly: booking's inventory and the
    # search index get the published snapshot.
    snapshot_json = json.dumps(snapshot)
    manage(
        "booking_service",
        "shell",
        "-c",
        "import json, os, types; from django.db import transaction; "
        "from bookings.handlers import on_property_event\n"
        "with transaction.atomic(): on_property_event(types.SimpleNamespace("
        "payload=json.loads(os.environ['SNAPSHOT']), type='property.published', version=100))",
        env={**platform.envs["booking"], "SNAPSHOT": snapshot_json},
    )
    manage(
        "search_consumer",
        "shell",
        "-c",
        "import json, os; from rentezy_common.search.indices import ensure_alias; "
        "from rentezy_common.search.testing import index_envelopes, snapshot_envelope; "
        "ensure_alias(); index_envelopes([snapshot_envelope(json.loads(os.environ['SNAPSHOT']),"
        " version=100)], alias=os.environ['SEARCH_INDEX_ALIAS'])",
        env={"SEARCH_INDEX_ALIAS": ALIAS, "SNAPSHOT": snapshot_json},
    )
    # schedule_visit's properties consumer, done directly too; then viewing hours, a
    # visit request and a calendar feed, through the gateway.
    manage(
        "schedule_visit",
        "shell",
        "-c",
        "import json, os, types; from django.db import transaction; "
        "from visits.handlers import on_property_event\n"
        "with transaction.atomic(): on_property_event(types.SimpleNamespace("
        "payload=json.loads(os.environ['SNAPSHOT']), type='property.published', version=100))",
        env={**platform.envs["visits"], "SNAPSHOT": snapshot_json},
    )
    hours = api.put(
        f"/api/visits/properties/{property_id}/availability/",
        headers=landlord,
        json={
            "min_notice_minutes": 0,
            "weekly": [{"weekday": d, "start": "00:00", "end": "23:30"} for d in range(1, 8)],
        },
    )
    assert hours.status_code == 200, hours.text
    slots = api.get(f"/api/visits/properties/{property_id}/slots/", headers=landlord)
    assert slots.status_code == 200, slots.text
    visit = api.post(
        "/api/visits/requests/",
        headers=tokens["tenant"],
        json={"property_id": property_id, "start": slots.json()["slots"][-1]["start"]},
    )
    assert visit.status_code == 201, visit.text
    feed = api.post("/api/visits/calendar-feed/", headers=tokens["tenant"])
    assert feed.status_code == 200, feed.text
    room_id = snapshot["rooms"][0]["id"]
    booking = api.post(
        "/api/bookings/",
        headers=tokens["tenant"],
        json={"room_id": room_id, "quantity": 1, "move_in_date": snapshot["created_at"][:10]},
    )
    assert booking.status_code == 201, booking.text
    # rent: the property (what its consumer would do), a lease, its invoice, a payment.
    manage(
        "rent_service",
        "shell",
        "-c",
        "import json, os, types; from django.db import transaction; "
        "from leases.handlers import on_property_event\n"
        "with transaction.atomic(): on_property_event(types.SimpleNamespace("
        "payload=json.loads(os.environ['SNAPSHOT']), type='property.published', version=100))",
        env={**platform.envs["rent"], "SNAPSHOT": snapshot_json},
    )
    tenant_id = api.get("/api/auth/me", headers=tokens["tenant"]).json()["id"]
    lease = api.post(
        "/api/rent/leases/",
        headers=landlord,
        json={"tenant_id": str(tenant_id), "property_id": property_id, "currency": "INR",
              "monthly_rent": "12000.00", "start_date": snapshot["created_at"][:10]},
    )  # fmt: skip
    assert lease.status_code == 201, lease.text
    lease_id = lease.json()["id"]
    invoice = api.get("/api/rent/invoices/", params={"lease_id": lease_id}, headers=landlord)
    invoice_id = invoice.json()["results"][0]["id"]
    rent_payment = api.post(
        f"/api/rent/invoices/{invoice_id}/pay/", json={"amount": "100.00"}, headers=tokens["tenant"]
    )
    assert rent_payment.status_code == 201, rent_payment.text
    photo_body = photo.json()
    return Seed(
        tokens=tokens,
        throwaway=throwaway,
        path_ids={
            "pk": property_id,
            "room_id": room_id,
            "photo_id": photo_body["id"],
            "name": photo_body["url"].rsplit("/media/", 1)[-1],
            "booking_id": booking.json()["id"],
            "lease_id": lease_id,
            "invoice_id": invoice_id,
            "payment_id": rent_payment.json()["id"],
            "user_id": target_user["id"],
            "property_id": property_id,
            "visit_id": visit.json()["id"],
            "token": feed.json()["token"],
        },
    )


__all__ = ["PASSWORD", "Platform", "Seed"]
