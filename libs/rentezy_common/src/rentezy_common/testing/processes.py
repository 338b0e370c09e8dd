"""Real service processes for tests that cross a process boundary (gateway → auth,
property → Kafka → search): start a service's own server from its own environment,
wait until it answers, stop or kill it, start it again.

    db = fresh_database("rentezy_auth_gwtest")
    migrate("auth_service", env={"DATABASE_URL": db})
    auth = ServiceProcess.gunicorn("auth_service", env={"DATABASE_URL": db}).start()
    ...
    auth.stop()
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import rentezy_common

from ..env import env_int


def repo_root() -> Path:
    """The repository (the library is installed editable from libs/rentezy_common/src)."""
    if os.environ.get("RENTEZY_REPO"):
        return Path(os.environ["RENTEZY_REPO"])
    here = Path(rentezy_common.__file__).resolve()
    for parent in here.parents:
        if (parent / "libs").is_dir() and (parent / "pyproject.toml").is_file():
            return parent
    raise RuntimeError("cannot find the repository root; set RENTEZY_REPO")


def service_python(directory: str) -> str:
    """The Python of a service's own environment (.rentezy/venvs/<dir>), as `make up` uses."""
    state = Path(os.environ.get("RENTEZY_STATE", repo_root() / ".rentezy"))
    venvs = Path(os.environ.get("RENTEZY_VENVS", state / "venvs"))
    python = venvs / directory / "bin" / "python"
    if not python.exists():
        raise RuntimeError(f"{python} is missing: run `make setup`")
    return str(python)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_url(database: str) -> str:
    port = env_int("POSTGRES_PORT", 5432)
    return f"postgres://rentezy:rentezy@127.0.0.1:{port}/{database}"


def settings_database_url() -> str:
    """The URL of this process's own database (under pytest, its test database), for
    a child process that must work on the same data."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def fresh_database(name: str) -> str:
    """Drop and create database `name` on the local server; return its URL."""
    import psycopg

    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad database name {name!r}")
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres_url(name)


def _env(directory: str, env: dict[str, str] | None) -> dict[str, str]:
    merged = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    merged.setdefault("RENTEZY_ENV", "test")
    merged["PATH"] = f"{Path(service_python(directory)).parent}{os.pathsep}{merged['PATH']}"
    merged.update(env or {})
    return merged


def manage(directory: str, *args: str, env: dict[str, str] | None = None, **kwargs):
    """Run `python manage.py <args>` of a service in its own environment."""
    return subprocess.run(
        [service_python(directory), "manage.py", *args],
        cwd=repo_root() / directory,
        env=_env(directory, env),
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def migrate(directory: str, *, env: dict[str, str] | None = None) -> None:
    manage(directory, "migrate", "--noinput", "-v", "0", env=env)


class ServiceProcess:
    """One server process of a service (its output goes to a log file next to the
    test reports, and is printed when it fails to start)."""

    def __init__(
        self,
        directory: str,
        argv: list[str],
        *,
        port: int,
        env: dict[str, str] | None = None,
        ready_path: str = "/healthz",
        name: str | None = None,
    ) -> None:
        self.directory = directory
        self.argv = argv
        self.port = port
        self.env = env or {}
        self.ready_path = ready_path
        self.name = name or directory
        self.process: subprocess.Popen | None = None
        logs = Path(os.environ.get("RENTEZY_STATE", repo_root() / ".rentezy")) / "logs" / "tests"
        logs.mkdir(parents=True, exist_ok=True)
        self.log_path = logs / f"{self.name}-{port}.log"

    @classmethod
    def gunicorn(cls, directory: str, *, env=None, port=None, workers=2, **kwargs):
        """The service's web server as its Procfile runs it."""
        port = port or free_port()
        argv = [
            service_python(directory), "-m", "gunicorn",
            "-c", "python:rentezy_common.gunicorn_conf", "rentezy_common.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--graceful-timeout", "5",
        ]  # fmt: skip
        return cls(directory, argv, port=port, env=env, **kwargs)

    @classmethod
    def python(cls, directory: str, *args: str, env=None, port=None, **kwargs):
        port = port or free_port()
        return cls(
            directory,
            [service_python(directory), *args],
            port=port,
            env={"PORT": str(port), **(env or {})},
            **kwargs,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 30.0) -> ServiceProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(
            self.argv,
            cwd=repo_root() / self.directory,
            env=_env(self.directory, self.env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if self.ready_path:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        # RENTEZY_TEST_READY_TIMEOUT (seconds) lengthens the wait on a machine shared with
        # other test runs (load average 30-70 on 2 cores: servers took over 30 s to boot).
        timeout = max(timeout, float(os.environ.get("RENTEZY_TEST_READY_TIMEOUT") or 0))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        output = self.log_path.read_text(errors="replace")[-4000:]
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready on {self.url}:\n{output}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        """Stop the process group (a server's workers too)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak) of the main process, in bytes (Linux)."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
        return values

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


__all__ = [
    "ServiceProcess",
    "free_port",
    "fresh_database",
    "manage",
    "migrate",
    "repo_root",
    "service_python",
]
