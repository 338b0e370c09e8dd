"""Run the platform on this machine: `up`, `down`, `status`, `logs`, `test`.

Called by the Makefile with the developer environment's Python (.venv), after
scripts/setup.sh. Servers are managed by scripts/infra.sh; the services' processes
(each service's Procfile: web server, outbox relay, Celery worker and beat) run under
one honcho supervisor that prefixes every log line with the process name.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

from rentezy_common.platform import SERVICES

REPO = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("RENTEZY_STATE", REPO / ".rentezy"))
INFRA = REPO / "scripts" / "infra.sh"
SUPERVISOR_PID = STATE / "run" / "supervisor.pid"
SUPERVISOR_LOG = STATE / "logs" / "services.log"
PROCFILE = STATE / "Procfile"


def say(message: str) -> None:
    print(message, flush=True)


def venv_bin(directory: str) -> Path:
    return STATE / "venvs" / directory / "bin"


def service_env(directory: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{venv_bin(directory)}{os.pathsep}{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    return env


def run(cmd, **kwargs) -> None:
    subprocess.run(cmd, check=True, **kwargs)


def infra(*args: str) -> None:
    run([str(INFRA), *args])


def ensure_topics() -> None:
    run([sys.executable, "-m", "rentezy_common.events.topics"])


def migrate() -> None:
    for spec in SERVICES.values():
        run(
            ["python", "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=REPO / spec.directory,
            env=service_env(spec.directory),
        )
    say(f"migrations applied ({len(SERVICES)} databases)")


def supervisor_pid() -> int | None:
    try:
        pid = int(SUPERVISOR_PID.read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def procfile_lines() -> list[str]:
    """One honcho Procfile for all services: each line cds into the service, puts its
    own environment first on PATH and sets PORT, SERVICE_NAME and STATE_DIR."""
    lines = []
    for spec in SERVICES.values():
        state_dir = STATE / "state" / "services" / spec.name
        state_dir.mkdir(parents=True, exist_ok=True)
        procfile = REPO / spec.directory / "Procfile"
        for raw in procfile.read_text().splitlines():
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            kind, _, command = raw.partition(":")
            lines.append(
                f"{spec.name}-{kind.strip()}: cd {REPO / spec.directory} && "
                f"export PATH={venv_bin(spec.directory)}:$PATH PORT={spec.port} "
                f"SERVICE_NAME={spec.name} STATE_DIR={state_dir}; exec {command.strip()}"
            )
    return lines


def wait_ready(timeout: float = 120.0) -> dict[str, str]:
    pending = {spec.name: spec for spec in SERVICES.values()}
    status: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for name, spec in list(pending.items()):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{spec.port}/readyz", timeout=3) as r:
                    if r.status == 200:
                        status[name] = "ready"
                        del pending[name]
            except (urllib.error.URLError, OSError) as exc:
                status[name] = getattr(exc, "reason", str(exc)).__str__()
        if pending:
            if supervisor_pid() is None:
                break
            time.sleep(1)
    for name in pending:
        status[name] = f"NOT READY ({status.get(name, 'no answer')})"
    return status


def print_table(status: dict[str, str]) -> None:
    say("")
    say(f"{'service':<21} {'listens on':<24} {'processes':<28} state")
    for spec in SERVICES.values():
        kinds = [
            line.split(":")[0].strip()
            for line in (REPO / spec.directory / "Procfile").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        say(
            f"{spec.directory:<21} {'http://127.0.0.1:' + str(spec.port):<24} "
            f"{', '.join(kinds):<28} {status.get(spec.name, '?')}"
        )
    say("")
    say(f"logs: {SUPERVISOR_LOG}  (make logs)   stop: make down")


# -- commands ---------------------------------------------------------------------------
def cmd_up(args) -> int:
    infra("start")
    ensure_topics()
    migrate()
    run([str(REPO / "scripts" / "frontend.sh"), "build"])  # the web app the gateway serves
    if supervisor_pid():
        say("services: already running")
    else:
        PROCFILE.write_text("\n".join(procfile_lines()) + "\n")
        SUPERVISOR_LOG.parent.mkdir(parents=True, exist_ok=True)
        SUPERVISOR_PID.parent.mkdir(parents=True, exist_ok=True)
        log = SUPERVISOR_LOG.open("ab")
        process = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "honcho"), "-f", str(PROCFILE), "-d", str(REPO), "start"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives this command; `make down` stops it
        )
        SUPERVISOR_PID.write_text(str(process.pid))
        say(f"services: supervisor started (pid {process.pid}), waiting for readiness")
    status = wait_ready()
    print_table(status)
    return 0 if all(value == "ready" for value in status.values()) else 1


def stop_supervisor() -> None:
    pid = supervisor_pid()
    if pid is None:
        say("services: not running")
        return
    os.kill(pid, signal.SIGTERM)  # honcho passes it on to every process and waits
    deadline = time.monotonic() + 30
    while supervisor_pid() and time.monotonic() < deadline:
        time.sleep(0.2)
    if supervisor_pid():
        os.killpg(pid, signal.SIGKILL)
    SUPERVISOR_PID.unlink(missing_ok=True)
    say("services: stopped")


def cmd_down(args) -> int:
    stop_supervisor()
    infra("stop")
    return 0


def cmd_status(args) -> int:
    result = subprocess.run([str(INFRA), "status"], check=False).returncode
    pid = supervisor_pid()
    say(f"supervisor: {f'running (pid {pid})' if pid else 'stopped'}")
    if pid:
        print_table(wait_ready(timeout=5))
    return result


def cmd_logs(args) -> int:
    os.execvp("tail", ["tail", "-n", "200", "-F", str(SUPERVISOR_LOG)])  # noqa: S606


def test_targets(selected: list[str]) -> list[tuple[str, Path, Path]]:
    """(name, directory, python) for the library and each service."""
    targets = [("libs/rentezy_common", REPO / "libs" / "rentezy_common", REPO / ".venv" / "bin")]
    targets += [
        (spec.directory, REPO / spec.directory, venv_bin(spec.directory))
        for spec in SERVICES.values()
    ]
    # End-to-end: every service as its own process, driven through the gateway.
    targets.append(("tests/e2e", REPO / "tests" / "e2e", REPO / ".venv" / "bin"))
    # The web app: its unit tests (vitest) and Playwright in Chromium against the platform.
    targets.append(("tests/web", REPO / "tests" / "web", REPO / ".venv" / "bin"))
    if selected:
        wanted = {s.rstrip("/") for s in selected}
        unknown = (
            wanted
            - {name for name, _, _ in targets}
            - {name.split("/")[-1] for name, _, _ in targets}
        )
        if unknown:
            raise SystemExit(f"error: unknown test target(s): {', '.join(sorted(unknown))}")
        targets = [t for t in targets if t[0] in wanted or t[0].split("/")[-1] in wanted]
    return targets


def cmd_test(args) -> int:
    infra("start")
    ensure_topics()
    reports = STATE / "test-reports"
    reports.mkdir(parents=True, exist_ok=True)
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    failed_targets = []
    started = time.monotonic()
    for name, directory, bin_dir in test_targets(args.targets):
        say(f"\n=== {name} ===")
        report = reports / f"{name.replace('/', '_')}.xml"
        report.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        env["PATH"] = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
        # A target may bring its own runner writing JUnit XML (tests/web: vitest and
        # Playwright, whose reports count test by test); the others are pytest.
        runner = directory / "run_tests.py"
        command = (
            ["python", str(runner), str(report)]
            if runner.exists()
            else ["python", "-m", "pytest", f"--junitxml={report}"]
        )
        code = subprocess.run(
            [*command, *args.pytest_args],
            cwd=directory,
            env=env,
            check=False,
        ).returncode
        counts = junit_counts(report)
        for key in totals:
            totals[key] += counts[key]
        if code != 0 or counts["passed"] == 0:
            failed_targets.append(name)
    say(
        f"\ntest targets: {len(test_targets(args.targets))}, "
        f"failed: {', '.join(failed_targets) or 'none'} ({time.monotonic() - started:.0f}s)"
    )
    # The plain closing line CI reads.
    line = f"{totals['passed']} passed, {totals['failed']} failed"
    say(line + (f", {totals['skipped']} skipped" if totals["skipped"] else ""))
    return 1 if failed_targets else 0


def junit_counts(report: Path) -> dict[str, int]:
    if not report.exists():
        return {"passed": 0, "failed": 1, "skipped": 0}
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests, failures, errors, skipped = (
        sum(int(suite.get(key, 0)) for suite in suites)
        for key in ("tests", "failures", "errors", "skipped")
    )
    return {
        "passed": tests - failures - errors - skipped,
        "failed": failures + errors,
        "skipped": skipped,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="dev.py")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up").set_defaults(func=cmd_up)
    sub.add_parser("down").set_defaults(func=cmd_down)
    sub.add_parser("status").set_defaults(func=cmd_status)
    sub.add_parser("logs").set_defaults(func=cmd_logs)
    test = sub.add_parser("test")
    test.add_argument("targets", nargs="*", help="e.g. booking_service, libs/rentezy_common")
    test.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[])
    test.set_defaults(func=cmd_test)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
