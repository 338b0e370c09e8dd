"""The Dockerfile, checked offline by BuildKit's own front end (tests/deploy/
dockerfilecheck: parser, instruction parser and every build check, for each service's
build arguments), the files it copies (present, not excluded by .dockerignore), the
shape of its stages; and the two scripts the image runs (docker/entrypoint.sh,
docker/probe.sh), run here for real."""

from __future__ import annotations

import json
import os
import re
import textwrap
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, SERVICES, procfile, run

DOCKERFILE = REPO / "Dockerfile"
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
PROBE = REPO / "docker" / "probe.sh"


def check(tools, path: Path, **build_args) -> tuple[int, dict, str]:
    cmd = [tools["dockerfilecheck"]]
    for name, value in build_args.items():
        cmd += ["--build-arg", f"{name}={value}"]
    result = run([*cmd, path], check=False)
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, report, result.stderr


@pytest.mark.parametrize("directory", [s.directory for s in SERVICES.values()])
def test_dockerfile_passes_buildkit_checks_for_every_service(tools, directory):
    code, report, stderr = check(tools, DOCKERFILE, SERVICE=directory)
    problems = [s for s in report.get("sources", []) if s.get("problem")]
    assert code == 0 and report["ok"], (
        report.get("warnings"),
        report.get("error"),
        problems,
        stderr,
    )
    copied = {s["source"] for s in report["sources"]}
    assert f"{directory}/" in copied  # the service's own code


def test_the_checker_reports_warnings_and_missing_files(tools, tmp_path):
    """A control: lint rules and missing sources fail the check."""
    bad = tmp_path / "Dockerfile"
    bad.write_text(
        textwrap.dedent(
            """\
            FROM python:3.11-slim as Builder
            COPY not-there.txt /x
            CMD python -V
            """
        )
    )
    code, report, _ = check(tools, bad)
    assert code == 1
    rules = " ".join(report["warnings"])
    assert "FromAsCasing" in rules and "StageNameCasing" in rules and "JSONArgsRecommended" in rules
    assert [s["problem"] for s in report["sources"]] == ["does not exist"]


def stages(tools) -> dict[str, dict]:
    _, report, _ = check(tools, DOCKERFILE, SERVICE="booking_service")
    return {stage["name"]: stage for stage in report["stages"]}


def test_stages_slim_non_root_no_compilers(tools):
    found = stages(tools)
    assert list(found) == ["builder", "frontend", "app", "gateway", "service"]
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim\b", DOCKERFILE.read_text(), re.M)
    app = found["app"]
    assert app["base"] == "${PYTHON_IMAGE}"
    assert app["user"] == "10001:10001"
    for name in ("app", "gateway", "service"):
        for instruction in found[name]["instructions"]:
            assert not re.search(
                r"apt-get|apk |gcc|g\+\+|build-essential|pip install|uv ", instruction
            ), (name, instruction)
    assert found["gateway"]["base"] == "app" and found["service"]["base"] == "app"
    assert 'ENTRYPOINT ["rentezy-entrypoint"]' in app["instructions"]
    assert 'CMD ["web"]' in app["instructions"]
    # The web app hook: the gateway image takes the frontend stage's /out.
    assert "COPY --from=frontend /out/ /app/frontend/" in found["gateway"]["instructions"]


def test_only_the_services_dependencies_go_in(tools):
    """uv installs one workspace package, without dev groups, from the lock; every
    workspace member's pyproject.toml is copied (uv reads the whole workspace)."""
    text = DOCKERFILE.read_text()
    syncs = re.findall(r"uv sync ([^\n]+)", text)
    assert len(syncs) == 2
    for sync in syncs:
        assert "--frozen" in sync and "--no-dev" in sync and "--package" in sync
        assert "--all-packages" not in sync
    assert "--no-editable" in syncs[1]
    workspace = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    members = [
        path.relative_to(REPO).as_posix()
        for pattern in workspace["members"]
        for path in sorted(REPO.glob(pattern))
        if (path / "pyproject.toml").exists()
    ]
    copied = set(re.findall(r"^COPY (\S+)/pyproject\.toml ", text, re.M))
    assert copied == set(members)


def test_dockerignore_keeps_secrets_and_state_out():
    ignored = (REPO / ".dockerignore").read_text().split()
    for entry in (".git", ".rentezy", "**/.venv", "**/tests"):
        assert entry in ignored


# --- the scripts inside the image ------------------------------------------------------------
@pytest.fixture
def fake_service(tmp_path):
    service = tmp_path / "service"
    service.mkdir()
    (service / "Procfile").write_text(
        "# comment\n"
        "web: echo web bind 127.0.0.1:$PORT name=$SERVICE_NAME state=$STATE_DIR\n"
        "relay: echo relay $SERVICE_NAME\n"
        "inventory: echo consumer inventory\n"
    )
    registry = tmp_path / "service.env"
    registry.write_text(': "${SERVICE_NAME:=booking}"\n: "${PORT:=8003}"\n')
    env = {
        "PATH": os.environ["PATH"],
        "RENTEZY_SERVICE_ENV": str(registry),
        "STATE_DIR": str(tmp_path / "state"),
    }
    return service, env


def entrypoint(fake_service, *args, **extra):
    service, env = fake_service
    return run([ENTRYPOINT, *args], cwd=service, env={**env, **extra}).stdout.strip()


def test_entrypoint_runs_the_procfile_line_listening_on_all_interfaces(fake_service, tmp_path):
    out = entrypoint(fake_service)
    assert out == f"web bind 0.0.0.0:8003 name=booking state={tmp_path / 'state'}"
    assert entrypoint(fake_service, "web", PORT="9000").startswith("web bind 0.0.0.0:9000")
    assert entrypoint(fake_service, "relay") == "relay booking"
    assert entrypoint(fake_service, "inventory") == "consumer inventory"
    assert entrypoint(fake_service, "sh", "-c", "echo as given $SERVICE_NAME") == "as given booking"
    assert (tmp_path / "state").is_dir()


def test_procfile_web_lines_bind_loopback_where_the_entrypoint_expects_it():
    """The entrypoint swaps 127.0.0.1 for BIND_HOST; the gateway reads GATEWAY_HOST."""
    for spec in SERVICES.values():
        web = procfile(spec.directory)["web"]
        if spec.name == "gateway":
            assert web == "python -m edge.serve"
            assert "GATEWAY_HOST" in (REPO / "api_gateway" / "edge" / "serve.py").read_text()
        else:
            assert "127.0.0.1" in web, spec.directory


def test_probe_process_and_beat(tmp_path):
    assert run([PROBE, "process"]).returncode == 0
    state = tmp_path / "state"
    state.mkdir()
    env = {"PATH": os.environ["PATH"], "STATE_DIR": str(state)}
    result = run([PROBE, "beat"], env=env, check=False)
    assert result.returncode == 1 and "no celerybeat-schedule" in result.stderr
    (state / "celerybeat-schedule.db").write_bytes(b"")  # any dbm flavour's file name
    assert run([PROBE, "beat"], env=env).returncode == 0
    assert run([PROBE, "nonsense"], check=False).returncode == 2
