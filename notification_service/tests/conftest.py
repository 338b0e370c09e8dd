"""Fixtures: callers as the gateway vouches for them, events as their producers'
contracts shape them (fed to the consumers' handlers, or produced to the real Kafka),
and the real SMTP server's Maildir (scripts/infra/smtp.sh) to read what was sent."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import transaction
from notifications import handlers

from rentezy_common.events.envelope import EventEnvelope
from rentezy_common.testing.clients import GatewayClient
from rentezy_common.testing.processes import ServiceProcess, repo_root, settings_database_url

STATE = Path(os.environ.get("RENTEZY_STATE", repo_root() / ".rentezy"))
MAILDIR = STATE / "state" / "smtp" / "maildir"  # scripts/infra/smtp.sh


def new_user_id() -> str:
    return str(uuid.uuid4().int % 10**9)


@pytest.fixture
def tenant() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="tenant")


@pytest.fixture
def landlord() -> GatewayClient:
    return GatewayClient(user_id=new_user_id(), role="landlord")


def envelope(event_type: str, aggregate_type: str, payload: dict, *, version: int = 1,
             aggregate_id: str | None = None, event_id=None) -> EventEnvelope:  # fmt: skip
    return EventEnvelope(
        id=event_id or uuid.uuid4(),
        type=event_type,
        source=aggregate_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id or payload.get("id") or payload.get("user_id")),
        version=version,
        occurred_at=datetime.now(UTC),
        payload=json.loads(json.dumps(payload)),
    )


def user_payload(user_id: str, *, role: str = "tenant", name: str = "Asha Rao") -> dict:
    """A user as user-events carry it (docs/services/auth.md, `user-events`)."""
    return {
        "id": user_id,
        "email": f"user-{user_id}-{uuid.uuid4().hex[:6]}@example.com",
        "full_name": name,
        "phone": "",
        "role": role,
        "time_zone": "Asia/Kolkata",
        "locale": "en-IN",
        "is_active": True,
        "email_verified": False,
        "created_at": "2026-12-01T10:00:00Z",
        "updated_at": "2026-12-01T10:00:00Z",
    }


def apply(handler, env: EventEnvelope) -> None:
    """What a consumer does with one event (its transaction included)."""
    with transaction.atomic():
        handler(env)


def register(user_id: str, **kwargs) -> dict:
    user = user_payload(user_id, **kwargs)
    apply(handlers.on_directory_event, envelope("user.registered", "user", user))
    return user


def publish_property(owner_id: str, title: str = "Sunny 2BHK near the park") -> str:
    snapshot = {"id": str(uuid.uuid4()), "owner_id": owner_id, "status": "published",
                "title": title, "time_zone": "Asia/Kolkata", "rooms": []}  # fmt: skip
    apply(handlers.on_directory_event, envelope("property.published", "property", snapshot))
    return snapshot["id"]


def booking_payload(tenant_id: str, owner_id: str, property_id: str, *, status="CONFIRMED",
                    booking_id: str | None = None) -> dict:  # fmt: skip
    """A booking as booking-events carry it (docs/contracts/booking-events.md)."""
    now = datetime.now(UTC)
    return {
        "id": booking_id or str(uuid.uuid4()),
        "status": status,
        "previous_status": "PENDING" if status != "PENDING" else None,
        "reason": None,
        "tenant_id": tenant_id,
        "owner_id": owner_id,
        "property_id": property_id,
        "room_id": str(uuid.uuid4()),
        "quantity": 1,
        "move_in_date": (now + timedelta(days=30)).date().isoformat(),
        "currency": "INR",
        "monthly_amount": "12000.00",
        "deposit_amount": "24000.00",
        "amount": "36000.00",
        "amount_paid": "36000.00" if status == "CONFIRMED" else "0.00",
        "amount_refunded": "0.00",
        "refund_status": "",
        "expires_at": (now + timedelta(minutes=10)).isoformat().replace("+00:00", "Z"),
        "checkout_url": "http://127.0.0.1:8000/dev/checkout/x",
        "last_payment_error": "",
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "confirmed_at": now.isoformat() if status == "CONFIRMED" else None,
        "ended_at": None,
    }


STATUS_EVENTS = {"PENDING": "booking.held", "CONFIRMED": "booking.confirmed",
                 "EXPIRED": "booking.expired", "CANCELLED": "booking.cancelled"}  # fmt: skip


def booking_event(payload: dict, *, version: int = 1, event_id=None) -> EventEnvelope:
    return envelope(STATUS_EVENTS[payload["status"]], "booking", payload, version=version,
                    event_id=event_id)  # fmt: skip


@pytest.fixture
def people():
    """A registered tenant and landlord (in the directory) and the landlord's property:
    (tenant user, landlord user, property id)."""
    tenant_user = register(new_user_id(), name="Asha Rao")
    landlord_user = register(new_user_id(), role="landlord", name="Ravi Kumar")
    return tenant_user, landlord_user, publish_property(landlord_user["id"])


def as_client(user: dict) -> GatewayClient:
    return GatewayClient(user_id=user["id"], role=user["role"])


# -- the SMTP server ------------------------------------------------------------------------
def mails_to(address: str) -> list[email.message.EmailMessage]:
    """Every mail the SMTP server stored for `address` (tests use unique addresses).
    Only the mails whose head names the address are parsed: the Maildir keeps every
    mail of every run (bench/notifications adds thousands)."""
    needle = address.encode()
    found = []
    for folder in ("new", "cur"):
        directory = MAILDIR / folder
        if not directory.exists():
            continue
        for path in directory.iterdir():
            try:
                with path.open("rb") as handle:
                    head = handle.read(4096)
                    if needle not in head:
                        continue
                    raw = head + handle.read()
            except FileNotFoundError:  # moved meanwhile
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if address in str(message.get("To", "")):
                found.append(message)
    return found


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def smtp(command: str) -> None:
    """Stop or start the real SMTP server (scripts/infra.sh)."""
    subprocess.run([str(repo_root() / "scripts" / "infra.sh"), command, "smtp"], check=True,
                   capture_output=True, timeout=60)  # fmt: skip


@pytest.fixture
def smtp_back():
    """Whatever the test does to the SMTP server, it is running afterwards."""
    yield
    smtp("start")


def celery_worker(env: dict[str, str] | None = None, concurrency: int = 2) -> ServiceProcess:
    """The Procfile's worker, on this test database and the test Redis database."""
    return ServiceProcess.python(
        "notification_service",
        "-m", "celery", "-A", "config.celery", "worker", "--hostname",
        f"notification-test-{uuid.uuid4().hex[:6]}@%h", "--concurrency", str(concurrency),
        "--queues", "notification", "--loglevel", "INFO", "--without-heartbeat",
        "--without-mingle", "--without-gossip",
        env={"DATABASE_URL": settings_database_url(), **(env or {})},
        ready_path=None,
        name="notification-celery",
    )  # fmt: skip


def purge_queue() -> None:
    from config.celery import app

    app.control.purge()
