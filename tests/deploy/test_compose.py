"""docker-compose.yml, loaded by the Compose specification's own loader (compose-go, in
tests/deploy/composecheck): it validates the schema, interpolation and references
(depends_on, volumes). Then: every service of the platform and every Procfile process is
in it with a healthcheck, ordered by health and by the one-shot jobs; the development
secrets are marked as such; and each service's settings load with the environment its
containers get."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from conftest import REPO, SERVICES, probe_many, procfile, routed_services, run

COMPOSE = REPO / "docker-compose.yml"
SERVERS = {"postgres", "redis", "kafka", "elasticsearch", "stripe-mock", "mailpit"}


def dash(name: str) -> str:
    return name.replace("_", "-")


@pytest.fixture(scope="module")
def project(tools) -> dict:
    result = run([tools["composecheck"], COMPOSE])
    return json.loads(result.stdout)


def test_compose_go_refuses_a_broken_file(tools, tmp_path):
    """A control: the loader does check references."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        textwrap.dedent(
            """
            services:
              web:
                image: nginx:1.27
                depends_on:
                  db: {condition: service_healthy}
            """
        )
    )
    result = run([tools["composecheck"], broken], check=False)
    assert result.returncode == 1 and "db" in result.stderr, result.stderr


def test_every_process_of_every_service_is_there_with_a_healthcheck(project):
    services = project["services"]
    for name, spec in SERVICES.items():
        for process in procfile(spec.directory):
            service = services[f"{dash(name)}-{process}"]
            assert service["command"] == [process]
            assert service["image"].startswith(f"rentezy/{dash(spec.directory)}:")
            build = service["build"]
            assert build["args"]["SERVICE"] == spec.directory
            assert build["target"] == ("gateway" if name == "gateway" else "service")
            health = service["healthcheck"]
            assert health["test"] and health.get("interval") and health.get("timeout"), name
            assert health.get("retries"), name
        assert f"migrate-{dash(name)}" in services
    expected = {
        f"{dash(name)}-{process}"
        for name, spec in SERVICES.items()
        for process in procfile(spec.directory)
    }
    jobs = {"topics", "migrate"} | {f"migrate-{dash(name)}" for name in SERVICES}
    assert set(services) == expected | jobs | SERVERS


def test_servers_have_healthchecks_and_named_volumes(project):
    services = project["services"]
    for server in SERVERS:
        health = services[server]["healthcheck"]
        assert health["test"] and health["interval"], server
    for name in ("postgres", "redis", "kafka", "elasticsearch"):
        volumes = services[name]["volumes"]
        assert any(v["type"] == "volume" and v["source"] in project["volumes"] for v in volumes)
    for service in services.values():
        assert not service["image"].endswith(":latest"), service["image"]
        assert ":" in service["image"], service["image"]


def test_ports_are_the_readme_ones(project):
    services = project["services"]
    for name, spec in SERVICES.items():
        ports = services[f"{dash(name)}-web"]["ports"]
        assert [(p["target"], int(p["published"])) for p in ports] == [
            (spec.default_port, spec.default_port)
        ]
    published = {
        int(p["published"]) for s in SERVERS for p in project["services"][s].get("ports", [])
    }
    assert {5432, 6379, 9092, 9200, 12111, 1025, 8025} <= published
    readme = (REPO / "README.md").read_text()
    for port in (5432, 6379, 9092, 9200, 12111, 1025):
        assert str(port) in readme


def test_start_order_waits_for_health_and_jobs(project):
    services = project["services"]
    for name, service in services.items():
        for target, dependency in service.get("depends_on", {}).items():
            condition = dependency["condition"]
            assert condition in ("service_healthy", "service_completed_successfully"), name
            if condition == "service_healthy":
                assert services[target].get("healthcheck"), f"{name} waits on {target}"
            else:
                assert services[target].get("restart") in (None, "no"), target
    for name in SERVICES:
        for process in procfile(SERVICES[name].directory):
            needs = services[f"{dash(name)}-{process}"]["depends_on"]
            assert needs[f"migrate-{dash(name)}"]["condition"] == "service_completed_successfully"
            assert needs["topics"]["condition"] == "service_completed_successfully"
        migrate = services[f"migrate-{dash(name)}"]
        assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
        assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["topics"]["command"] == ["python", "-m", "rentezy_common.events.topics"]
    assert services["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    gateway = services["gateway-web"]["depends_on"]
    for upstream in routed_services():
        assert gateway[f"{dash(upstream)}-web"]["condition"] == "service_healthy"


def test_one_database_per_service(project):
    postgres = project["services"]["postgres"]
    assert postgres["environment"]["RENTEZY_DATABASES"].split(",") == [
        spec.database for spec in SERVICES.values()
    ]
    init = [v for v in postgres["volumes"] if v["target"].startswith("/docker-entrypoint-initdb.d")]
    assert init and (REPO / "docker" / "postgres" / "init-databases.sh").exists()


def test_dev_secrets_are_marked_and_long_enough(project):
    secretish = re.compile(r"(SECRET|PASSWORD|KEY)S?$")
    seen = 0
    for name, service in project["services"].items():
        env = service.get("environment") or {}
        for key, value in env.items():
            if secretish.search(key) and key not in ("STRIPE_SECRET_KEY",):
                assert value.startswith("dev-insecure-"), (name, key)
                assert len(value.encode()) >= 32, (name, key)
                seen += 1
            for match in re.findall(r"://[^:/]+:([^@]+)@", str(value)):
                assert match.startswith("dev-insecure-"), (name, key)
        if "build" in service:  # ours: development mode, said explicitly
            assert env.get("RENTEZY_ENV") == "dev", name
    assert seen


def test_every_service_starts_with_its_compose_environment(project, tmp_path):
    """The settings of each service load (RENTEZY_ENV=dev) with exactly the environment
    its containers get, and point at the compose servers, not at loopback."""
    services = project["services"]
    calls = []
    for name, spec in SERVICES.items():
        env = dict(services[f"{dash(name)}-web"]["environment"])
        if "GATEWAY_ROUTES_FILE" in env:  # the image's copy of the table
            assert env["GATEWAY_ROUTES_FILE"] == "/app/service/config/routes.toml"
            env["GATEWAY_ROUTES_FILE"] = str(REPO / spec.directory / "config" / "routes.toml")
        for key in ("DATABASE_URL", "REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS"):
            assert "127.0.0.1" not in env[key] and "localhost" not in env[key], (name, key)
        calls.append((spec.directory, env))
    reports = probe_many(calls)
    for (name, _), report in zip(SERVICES.items(), reports, strict=True):
        assert report["ok"], f"{name}: {report.get('error')}"
        assert report["environment"] == "dev"
        assert f"{dash(name)}-web" in report["allowed_hosts"], name
        if name == "gateway":
            for upstream, url in report["upstreams"].items():
                assert url == f"http://{dash(upstream)}-web:{SERVICES[upstream].default_port}"
