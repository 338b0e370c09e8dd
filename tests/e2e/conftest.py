"""The platform's processes for end-to-end tests, on loopback, with their own fresh
databases, throwaway topics, search alias and consumer groups, and the production
routing table at the gateway."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from confluent_kafka.admin import AdminClient

from rentezy_common.events.topics import TOPICS, TopicSpec, ensure_topics
from rentezy_common.testing.platform import (
    background,
    flush_redis,
    gateway_process,
    redis_url,
    start,
    stop,
)
from rentezy_common.testing.platform import databases as _databases
from rentezy_common.testing.processes import ServiceProcess, free_port
from rentezy_common.testing.users import client_ip, register_and_login

RUN = uuid.uuid4().hex[:8]
ALIAS = f"e2e-properties-{RUN}"
# Its own topics, so the test's listings and bookings never reach a `make up` platform.
TOPIC = f"e2e-property-events-{RUN}"
BOOKING_TOPIC = f"e2e-booking-events-{RUN}"
RENT_TOPIC = f"e2e-rent-events-{RUN}"
GROUP = f"e2e-search-{RUN}"
AVAILABILITY_GROUP = f"e2e-search-availability-{RUN}"
INVENTORY_GROUP = f"e2e-booking-inventory-{RUN}"
RENT_BOOKINGS_GROUP = f"e2e-rent-bookings-{RUN}"
RENT_PROPERTIES_GROUP = f"e2e-rent-properties-{RUN}"
VISIT_TOPIC = f"e2e-visit-events-{RUN}"
VISITS_GROUP = f"e2e-visits-properties-{RUN}"
CHAT_TOPIC = f"e2e-chat-events-{RUN}"
CHAT_PROPERTIES_GROUP = f"e2e-chat-properties-{RUN}"
CHAT_BOOKINGS_GROUP = f"e2e-chat-bookings-{RUN}"
USER_TOPIC = f"e2e-user-events-{RUN}"
NOTIFY_DIRECTORY_GROUP = f"e2e-notification-directory-{RUN}"
NOTIFY_ACTIVITY_GROUP = f"e2e-notification-activity-{RUN}"
GROUPS = (
    NOTIFY_DIRECTORY_GROUP,
    NOTIFY_ACTIVITY_GROUP,
    GROUP,
    AVAILABILITY_GROUP,
    INVENTORY_GROUP,
    RENT_BOOKINGS_GROUP,
    RENT_PROPERTIES_GROUP,
    VISITS_GROUP,
    CHAT_PROPERTIES_GROUP,
    CHAT_BOOKINGS_GROUP,
)
PASSWORD = "e2e-Password-long-1"


# booking_service's Celery broker: a Redis database of its own (the last of the 32 that
# scripts/infra configures; the platform's use 0-9, their tests 16-26), emptied before and
# after the run, so the worker never meets the hold-expiry tasks booking_service's own
# tests leave behind, nor leaves its own for them.
BOOKING_BROKER_DB = 31
HOLD_SECONDS = 12  # booking_service's BOOKING_HOLD_SECONDS in these tests
# rent_service's Celery broker, likewise its own (tests/contract uses 30).
RENT_BROKER_DB = 29
# notification_service's, likewise.
NOTIFICATION_BROKER_DB = 28


def flush_booking_broker() -> None:
    flush_redis(redis_url("booking", BOOKING_BROKER_DB))
    flush_redis(redis_url("rent", RENT_BROKER_DB))
    flush_redis(redis_url("notification", NOTIFICATION_BROKER_DB))


def databases(*directories: str) -> dict[str, dict[str, str]]:
    return _databases(*directories, suffix="e2e")


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    """Start auth, property (+ outbox relay), booking (+ outbox relay, inventory
    consumer, Celery worker), search_consumer (+ property and availability consumers),
    search_service, schedule_visit (+ outbox relay, properties consumer), chat_service
    (uvicorn, + outbox relay, properties and bookings consumers) and the gateway.
    Yields {name: ServiceProcess}."""
    media = tmp_path_factory.mktemp("media")
    admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"})
    ensure_topics(
        admin,
        [
            TopicSpec(TOPIC, 3, dict(TOPICS["property-events"].config)),
            TopicSpec(BOOKING_TOPIC, 3, dict(TOPICS["booking-events"].config)),
            TopicSpec(RENT_TOPIC, 3, dict(TOPICS["rent-events"].config)),
            TopicSpec(VISIT_TOPIC, 3, dict(TOPICS["visit-events"].config)),
            TopicSpec(USER_TOPIC, 3, dict(TOPICS["user-events"].config)),
            TopicSpec(CHAT_TOPIC, 3, dict(TOPICS["chat-events"].config)),
        ],
    )
    dbs = databases(
        "auth_service",
        "property_service",
        "booking_service",
        "search_consumer",
        "rent_service",
        "schedule_visit",
        "chat_service",
        "notification_service",
    )
    search_env = {"SEARCH_INDEX_ALIAS": ALIAS, "SEARCH_CONSUMER_GROUP": GROUP}
    auth_env = {**dbs["auth_service"], "USER_EVENTS_TOPIC": USER_TOPIC}
    property_env = {
        **dbs["property_service"],
        "PROPERTY_MEDIA_ROOT": str(media),
        "PROPERTY_EVENTS_TOPIC": TOPIC,
    }
    consumer_env = {
        **dbs["search_consumer"],
        **search_env,
        "SEARCH_PROPERTY_TOPIC": TOPIC,
        "SEARCH_BOOKING_TOPIC": BOOKING_TOPIC,
        "SEARCH_AVAILABILITY_GROUP": AVAILABILITY_GROUP,
    }
    # The booking service needs the gateway's address (Checkout return URLs, and the
    # payment simulator posts its signed webhooks there), the gateway the booking
    # service's: the gateway's port is chosen first.
    gateway_port = free_port()
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    booking_env = {
        **dbs["booking_service"],
        "PROPERTY_EVENTS_TOPIC": TOPIC,
        "BOOKING_EVENTS_TOPIC": BOOKING_TOPIC,
        "BOOKING_INVENTORY_CONSUMER_GROUP": INVENTORY_GROUP,
        "PUBLIC_BASE_URL": gateway_url,
        "PAYMENT_SIMULATOR_WEBHOOK_URL": f"{gateway_url}/api/bookings/stripe/webhook/",
        "REDIS_URL": redis_url("booking", BOOKING_BROKER_DB),
        # Short holds, so a test can watch one expire; the other tests pay within seconds.
        "BOOKING_HOLD_SECONDS": str(HOLD_SECONDS),
    }
    rent_env = {
        **dbs["rent_service"],
        "PROPERTY_EVENTS_TOPIC": TOPIC,
        "BOOKING_EVENTS_TOPIC": BOOKING_TOPIC,
        "RENT_EVENTS_TOPIC": RENT_TOPIC,
        "RENT_BOOKINGS_CONSUMER_GROUP": RENT_BOOKINGS_GROUP,
        "RENT_PROPERTIES_CONSUMER_GROUP": RENT_PROPERTIES_GROUP,
        "PUBLIC_BASE_URL": gateway_url,
        "PAYMENT_SIMULATOR_WEBHOOK_URL": f"{gateway_url}/api/rent/stripe/webhook/",
        "REDIS_URL": redis_url("rent", RENT_BROKER_DB),
    }
    visits_env = {
        **dbs["schedule_visit"],
        "PROPERTY_EVENTS_TOPIC": TOPIC,
        "VISIT_EVENTS_TOPIC": VISIT_TOPIC,
        "VISITS_PROPERTY_CONSUMER_GROUP": VISITS_GROUP,
        "PUBLIC_BASE_URL": gateway_url,
    }
    chat_env = {
        **dbs["chat_service"],
        "CHAT_MEDIA_ROOT": str(media / "chat"),
        "PROPERTY_EVENTS_TOPIC": TOPIC,
        "BOOKING_EVENTS_TOPIC": BOOKING_TOPIC,
        "VISIT_EVENTS_TOPIC": VISIT_TOPIC,
        "CHAT_EVENTS_TOPIC": CHAT_TOPIC,
        "CHAT_PROPERTIES_CONSUMER_GROUP": CHAT_PROPERTIES_GROUP,
        "CHAT_BOOKINGS_CONSUMER_GROUP": CHAT_BOOKINGS_GROUP,
    }
    chat_port = free_port()
    notification_env = {
        **dbs["notification_service"],
        "USER_EVENTS_TOPIC": USER_TOPIC,
        "PROPERTY_EVENTS_TOPIC": TOPIC,
        "BOOKING_EVENTS_TOPIC": BOOKING_TOPIC,
        "RENT_EVENTS_TOPIC": RENT_TOPIC,
        "VISIT_EVENTS_TOPIC": VISIT_TOPIC,
        "CHAT_EVENTS_TOPIC": CHAT_TOPIC,
        "NOTIFICATION_DIRECTORY_CONSUMER_GROUP": NOTIFY_DIRECTORY_GROUP,
        "NOTIFICATION_ACTIVITY_CONSUMER_GROUP": NOTIFY_ACTIVITY_GROUP,
        "PUBLIC_BASE_URL": gateway_url,
        "REDIS_URL": redis_url("notification", NOTIFICATION_BROKER_DB),
    }
    notification_port = free_port()
    flush_booking_broker()
    processes: dict[str, ServiceProcess] = {}
    try:
        start(
            processes,
            auth=ServiceProcess.gunicorn("auth_service", env=auth_env, name="e2e-auth"),
            property=ServiceProcess.gunicorn(
                "property_service", env=property_env, name="e2e-property"
            ),
            property_relay=background(
                "property_service", "manage.py", "outbox_relay",
                env=property_env, name="e2e-property-relay",
            ),
            search_consumer=background(
                "search_consumer", "manage.py", "run_consumer", "properties",
                env=consumer_env, name="e2e-search-consumer",
            ),
            search_availability=background(
                "search_consumer", "manage.py", "run_consumer", "availability",
                env=consumer_env, name="e2e-search-availability",
            ),
            search=ServiceProcess.gunicorn("search_service", env=search_env, name="e2e-search"),
            booking=ServiceProcess.gunicorn("booking_service", env=booking_env, name="e2e-booking"),
            booking_relay=background(
                "booking_service", "manage.py", "outbox_relay",
                env=booking_env, name="e2e-booking-relay",
            ),
            booking_inventory=background(
                "booking_service", "manage.py", "run_consumer", "inventory",
                env=booking_env, name="e2e-booking-inventory",
            ),
            booking_worker=background(
                "booking_service", "-m", "celery", "-A", "config.celery", "worker",
                "--hostname", f"e2e-booking-{RUN}@%h", "--concurrency", "1",
                "--queues", "booking", "--loglevel", "INFO",
                "--without-heartbeat", "--without-mingle", "--without-gossip",
                env=booking_env, name="e2e-booking-worker",
            ),
            rent=ServiceProcess.gunicorn("rent_service", env=rent_env, name="e2e-rent"),
            rent_relay=background(
                "rent_service", "manage.py", "outbox_relay", env=rent_env, name="e2e-rent-relay",
            ),
            rent_bookings=background(
                "rent_service", "manage.py", "run_consumer", "bookings",
                env=rent_env, name="e2e-rent-bookings",
            ),
            rent_properties=background(
                "rent_service", "manage.py", "run_consumer", "properties",
                env=rent_env, name="e2e-rent-properties",
            ),
            rent_worker=background(
                "rent_service", "-m", "celery", "-A", "config.celery", "worker",
                "--hostname", f"e2e-rent-{RUN}@%h", "--concurrency", "1",
                "--queues", "rent", "--loglevel", "INFO",
                "--without-heartbeat", "--without-mingle", "--without-gossip",
                env=rent_env, name="e2e-rent-worker",
            ),
            auth_relay=background(
                "auth_service", "manage.py", "outbox_relay", env=auth_env, name="e2e-auth-relay",
            ),
            notification=ServiceProcess.python(
                "notification_service", "-m", "uvicorn", "config.asgi:application",
                "--host", "127.0.0.1", "--port", str(notification_port),
                "--ws", "websockets-sansio",
                port=notification_port, env=notification_env, name="e2e-notification",
            ),
            notification_directory=background(
                "notification_service", "manage.py", "run_consumer", "directory",
                env=notification_env, name="e2e-notification-directory",
            ),
            notification_activity=background(
                "notification_service", "manage.py", "run_consumer", "activity",
                env=notification_env, name="e2e-notification-activity",
            ),
            notification_worker=background(
                "notification_service", "-m", "celery", "-A", "config.celery", "worker",
                "--hostname", f"e2e-notification-{RUN}@%h", "--concurrency", "1",
                "--queues", "notification", "--loglevel", "INFO",
                "--without-heartbeat", "--without-mingle", "--without-gossip",
                env=notification_env, name="e2e-notification-worker",
            ),
            visits=ServiceProcess.gunicorn("schedule_visit", env=visits_env, name="e2e-visits"),
            visits_relay=background(
                "schedule_visit", "manage.py", "outbox_relay",
                env=visits_env, name="e2e-visits-relay",
            ),
            visits_properties=background(
                "schedule_visit", "manage.py", "run_consumer", "properties",
                env=visits_env, name="e2e-visits-properties",
            ),
            # as its Procfile runs it (ASGI: the REST API and the socket)
            chat=ServiceProcess.python(
                "chat_service", "-m", "uvicorn", "config.asgi:application",
                "--host", "127.0.0.1", "--port", str(chat_port), "--workers", "2",
                "--ws", "websockets-sansio", "--ws-max-size", "65536",
                port=chat_port, env=chat_env, name="e2e-chat",
            ),
            chat_relay=background(
                "chat_service", "manage.py", "outbox_relay", env=chat_env, name="e2e-chat-relay",
            ),
            chat_properties=background(
                "chat_service", "manage.py", "run_consumer", "properties",
                env=chat_env, name="e2e-chat-properties",
            ),
            chat_bookings=background(
                "chat_service", "manage.py", "run_consumer", "bookings",
                env=chat_env, name="e2e-chat-bookings",
            ),
        )  # fmt: skip
        start(
            processes,
            gateway=gateway_process(
                {
                    name: processes[name]
                    for name in (
                        "auth",
                        "property",
                        "search",
                        "booking",
                        "rent",
                        "visits",
                        "chat",
                        "notification",
                    )
                },
                port=gateway_port,
                name="e2e-gateway",
            ),
        )
        yield processes
    finally:
        stop(processes)
        flush_booking_broker()  # the hold-expiry tasks the worker gave back on stopping
        _drop_alias_indices()
        # the topics, and the dead-letter topics the consumer groups created for themselves
        existing = set(admin.list_topics(timeout=10).topics)
        ours = (
            TOPIC,
            BOOKING_TOPIC,
            RENT_TOPIC,
            VISIT_TOPIC,
            USER_TOPIC,
            CHAT_TOPIC,
            *(f"{group}.dlq" for group in GROUPS),
        )
        leftovers = [t for t in ours if t in existing]
        if leftovers:
            for future in admin.delete_topics(leftovers, operation_timeout=30).values():
                future.result()


def _drop_alias_indices() -> None:
    url = f"http://127.0.0.1:{os.environ.get('ELASTICSEARCH_PORT', '9200')}"
    with httpx.Client(base_url=url, timeout=30) as es:
        response = es.get(f"/_alias/{ALIAS}")
        if response.status_code == 200:
            for index in response.json():
                es.delete(f"/{index}")


@pytest.fixture(scope="session")
def api(platform):
    """The gateway, as one anonymous client (its own address per run: the gateway's
    Redis keeps per-IP limits across runs)."""
    with httpx.Client(
        base_url=platform["gateway"].url, timeout=30, headers={"X-Forwarded-For": client_ip()}
    ) as client:
        yield client


@pytest.fixture(scope="session")
def user(api):
    """Register and log in a user of a role: returns (auth headers, user)."""
    return lambda role: register_and_login(api, role, password=PASSWORD)
