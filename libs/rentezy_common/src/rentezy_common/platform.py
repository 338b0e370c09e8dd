"""The platform's services: one registry read by settings, scripts and tests.

Ports are the defaults of docs/architecture/overview.md; each can be overridden with
`<NAME>_PORT` in the environment (e.g. `BOOKING_PORT=9003`). `redis_db` gives each
service its own Redis database on a shared development server (tests add
`TEST_REDIS_DB_OFFSET`), so Celery queues, caches and nonces of two services never meet.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

TEST_REDIS_DB_OFFSET = 16  # scripts/infra starts Redis with 32 databases


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # short name: database rentezy_<name>, env prefix <NAME>_
    directory: str  # top-level directory of the Django project
    default_port: int
    redis_db: int

    @property
    def env_prefix(self) -> str:
        return self.name.upper()

    @property
    def port(self) -> int:
        return int(os.environ.get(f"{self.env_prefix}_PORT", self.default_port))

    @property
    def database(self) -> str:
        return f"rentezy_{self.name}"


SERVICES: dict[str, ServiceSpec] = {
    spec.name: spec
    for spec in (
        ServiceSpec("gateway", "api_gateway", 8000, 0),
        ServiceSpec("auth", "auth_service", 8001, 1),
        ServiceSpec("property", "property_service", 8002, 2),
        ServiceSpec("booking", "booking_service", 8003, 3),
        ServiceSpec("rent", "rent_service", 8004, 4),
        ServiceSpec("chat", "chat_service", 8005, 5),
        ServiceSpec("notification", "notification_service", 8006, 6),
        ServiceSpec("search", "search_service", 8007, 7),
        ServiceSpec("visits", "schedule_visit", 8008, 8),
        ServiceSpec("search_consumer", "search_consumer", 8009, 9),
    )
}


def main(argv: list[str] | None = None) -> int:
    """`python -m rentezy_common.platform` prints `name directory port` per service."""
    for spec in SERVICES.values():
        print(spec.name, spec.directory, spec.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
