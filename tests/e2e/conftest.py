"""The platform's processes for end-to-end tests, on loopback, with their own fresh
databases, a throwaway search alias and consumer group, and the production routing
table at the gateway."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from confluent_kafka.admin import AdminClient

from rentezy_common.events.topics import TOPICS, TopicSpec, ensure_topics
from rentezy_common.platform import SERVICES, TEST_REDIS_DB_OFFSET
from rentezy_common.testing.processes import ServiceProcess, fresh_database, migrate

RUN = uuid.uuid4().hex[:8]
ALIAS = f"e2e-properties-{RUN}"
# Its own topic, so the test's listings never reach a `make up` platform's index.
TOPIC = f"e2e-property-events-{RUN}"
GROUP = f"e2e-search-{RUN}"
PASSWORD = "e2e-Password-long-1"


def redis_url(service: str) -> str:
    db = SERVICES[service].redis_db + TEST_REDIS_DB_OFFSET
    return f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '6379')}/{db}"


def database(directory: str) -> dict[str, str]:
    env = {"DATABASE_URL": fresh_database(f"rentezy_{directory}_e2e")}
    migrate(directory, env=env)
    return env


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    """Start auth, property (+ outbox relay), search_consumer (+ consumer),
    search_service and the gateway. Yields {name: ServiceProcess}."""
    media = tmp_path_factory.mktemp("media")
    admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"})
    ensure_topics(admin, [TopicSpec(TOPIC, 3, dict(TOPICS["property-events"].config))])
    search_env = {"SEARCH_INDEX_ALIAS": ALIAS, "SEARCH_CONSUMER_GROUP": GROUP}
    auth_env = database("auth_service")
    property_env = {
        **database("property_service"),
        "PROPERTY_MEDIA_ROOT": str(media),
        "PROPERTY_EVENTS_TOPIC": TOPIC,
    }
    consumer_env = {**database("search_consumer"), **search_env, "SEARCH_PROPERTY_TOPIC": TOPIC}
    processes: dict[str, ServiceProcess] = {}

    def start(name: str, process: ServiceProcess) -> ServiceProcess:
        processes[name] = process
        return process.start()

    try:
        start("auth", ServiceProcess.gunicorn("auth_service", env=auth_env, name="e2e-auth"))
        start(
            "property",
            ServiceProcess.gunicorn("property_service", env=property_env, name="e2e-property"),
        )
        start(
            "property-relay",
            ServiceProcess.python(
                "property_service", "manage.py", "outbox_relay",
                env=property_env, ready_path=None, name="e2e-property-relay",
            ),
        )  # fmt: skip
        start(
            "search-consumer",
            ServiceProcess.python(
                "search_consumer", "manage.py", "run_consumer", "properties",
                env=consumer_env, ready_path=None, name="e2e-search-consumer",
            ),
        )  # fmt: skip
        start(
            "search",
            ServiceProcess.gunicorn("search_service", env=search_env, name="e2e-search"),
        )
        start(
            "gateway",
            ServiceProcess.python(
                "api_gateway", "-m", "edge.serve",
                env={
                    "UPSTREAM_AUTH_URL": processes["auth"].url,
                    "UPSTREAM_PROPERTY_URL": processes["property"].url,
                    "UPSTREAM_SEARCH_URL": processes["search"].url,
                    "GATEWAY_WORKERS": "1",
                    "REDIS_URL": redis_url("gateway"),
                },
                name="e2e-gateway",
            ),
        )  # fmt: skip
        yield processes
    finally:
        for process in reversed(list(processes.values())):
            process.stop()
        _drop_alias_indices()
        # the topic, and the dead-letter topic the consumer group created for itself
        existing = set(admin.list_topics(timeout=10).topics)
        leftovers = [t for t in (TOPIC, f"{GROUP}.dlq") if t in existing]
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
    with httpx.Client(base_url=platform["gateway"].url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def user(api):
    """Register and log in a user of a role: returns (auth headers, user)."""
    # The gateway's login limit is per IP; the tests log in a handful of users.

    def _user(role: str):
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        registered = api.post(
            "/api/auth/register",
            json={"email": email, "password": PASSWORD, "full_name": role.title(), "role": role},
        )
        assert registered.status_code == 201, registered.text
        session = api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert session.status_code == 200, session.text
        body = session.json()
        return {"Authorization": f"Bearer {body['access']}"}, body["user"]

    return _user
