"""The platform as separate processes, for the suites that drive it through the gateway
(tests/e2e, tests/contract): fresh databases, the services' servers started at once,
the gateway in front, admins (users of the other roles: rentezy_common.testing.users).

    dbs = databases("auth_service", "property_service", suffix="e2e")
    processes = {}
    start(processes, auth=ServiceProcess.gunicorn("auth_service", env=dbs["auth_service"]))
    start(processes, gateway=gateway_process({"auth": processes["auth"]}, port=free_port()))
    ...
    stop(processes)
"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

from ..platform import SERVICES, TEST_REDIS_DB_OFFSET
from .processes import ServiceProcess, free_port, fresh_database, manage, migrate
from .users import client_ip

PASSWORD = "e2e-Password-long-1"  # noqa: S105 - test users only


def redis_url(service: str, db: int | None = None) -> str:
    """A service's test Redis database (or database `db`) on the local server."""
    db = SERVICES[service].redis_db + TEST_REDIS_DB_OFFSET if db is None else db
    return f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '6379')}/{db}"


def flush_redis(url: str) -> None:
    import redis

    with redis.Redis.from_url(url) as client:
        client.flushdb()


def databases(*directories: str, suffix: str) -> dict[str, dict[str, str]]:
    """A fresh database per service ({directory: env}), migrated by the services at
    once (each `migrate` is a process of its own, mostly Django starting up)."""
    envs = {d: {"DATABASE_URL": fresh_database(f"rentezy_{d}_{suffix}")} for d in directories}
    with ThreadPoolExecutor(max_workers=len(envs)) as pool:
        for future in [pool.submit(migrate, d, env=env) for d, env in envs.items()]:
            future.result()
    return envs


def start(processes: dict[str, ServiceProcess], **named: ServiceProcess) -> None:
    """Start processes at once (added to `processes`); each web server is waited for
    until it answers."""
    processes.update(named)
    with ThreadPoolExecutor(max_workers=len(named)) as pool:
        for future in [pool.submit(p.start, timeout=60) for p in named.values()]:
            future.result()


def stop(processes: dict[str, ServiceProcess]) -> None:
    if processes:
        with ThreadPoolExecutor(max_workers=len(processes)) as pool:
            list(pool.map(ServiceProcess.stop, processes.values()))


def background(directory: str, *args: str, env: dict[str, str], name: str) -> ServiceProcess:
    """A process without HTTP (relay, consumer, worker): no readiness to wait for."""
    return ServiceProcess.python(directory, *args, env=env, ready_path=None, name=name)


def gateway_process(
    upstreams: dict[str, ServiceProcess], *, port: int, name: str, env: dict[str, str] | None = None
) -> ServiceProcess:
    """The gateway with the production routing table in front of `upstreams`
    ({upstream name: process}). The test client stands for a load balancer in front of
    the gateway: it tells each client's address (X-Forwarded-For), so per-IP limits
    count per test user."""
    return ServiceProcess.python(
        "api_gateway",
        "-m",
        "edge.serve",
        port=port,
        env={
            **{f"UPSTREAM_{n.upper()}_URL": p.url for n, p in upstreams.items()},
            "GATEWAY_WORKERS": "1",
            "GATEWAY_METRICS_PORT": str(free_port()),
            "REDIS_URL": redis_url("gateway"),
            "GATEWAY_TRUSTED_PROXY_HOPS": "1",
            **(env or {}),
        },
        name=name,
    )


def sign_in(api, email: str, password: str = PASSWORD) -> dict:
    """Log in through the gateway (from an address of its own): the login body."""
    session = api.post(
        "/api/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": client_ip()},
    )
    assert session.status_code == 200, session.text
    return session.json()


def create_admin(auth_env: dict[str, str], password: str = PASSWORD) -> str:
    """An admin, the only way there is (auth_service's `createsuperuser`): its email."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    manage(
        "auth_service",
        "createsuperuser",
        "--noinput",
        "--email",
        email,
        "--full_name",
        "Admin",
        env={**auth_env, "DJANGO_SUPERUSER_PASSWORD": password},
    )
    return email


__all__ = [
    "PASSWORD",
    "background",
    "create_admin",
    "databases",
    "flush_redis",
    "gateway_process",
    "redis_url",
    "sign_in",
    "start",
    "stop",
]
