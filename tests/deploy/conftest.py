"""Shared fixtures of tests/deploy: the tools (scripts/deploy-tools.sh, built once per
machine and cached), the rendered manifests (Helm with the default and the production
example values, kustomize's app and infra overlays), the platform's facts from the code
(registry, Procfiles, topics, routing table) and a runner for a service's settings."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from rentezy_common.events.topics import TOPICS
from rentezy_common.platform import SERVICES

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "rentezy"
K8S = REPO / "k8s"
STATE = Path(os.environ.get("RENTEZY_STATE", REPO / ".rentezy"))
PROBE = Path(__file__).resolve().parent / "settings_probe.py"
NAMESPACE = "rentezy"


def run(cmd, *, timeout: float = 600, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
            f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
        )
    return result


def load_docs(text: str) -> list[dict]:
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc]


@dataclass
class Render:
    name: str
    text: str
    docs: list[dict] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[dict]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> dict:
        for doc in self.of_kind(kind):
            if doc["metadata"]["name"] == name:
                return doc
        raise KeyError(f"{self.name}: no {kind} {name}")


# --- the code's facts ----------------------------------------------------------------------
def procfile(directory: str) -> dict[str, str]:
    processes = {}
    for raw in (REPO / directory / "Procfile").read_text().splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            kind, _, command = raw.partition(":")
            processes[kind.strip()] = command.strip()
    return processes


def routes() -> dict:
    return tomllib.loads((REPO / "api_gateway" / "config" / "routes.toml").read_text())


def routed_services() -> set[str]:
    """Services the gateway forwards to (the routing table's upstreams)."""
    return set(routes()["upstreams"])


def process_kind(name: str) -> str:
    return name if name in ("web", "relay", "worker", "beat") else "consumer"


def service_python(directory: str) -> Path:
    python = STATE / "venvs" / directory / "bin" / "python"
    if not python.exists():
        raise AssertionError(
            f"{python} is missing: scripts/setup.sh creates the services' environments "
            "(make test runs it first)"
        )
    return python


def probe_settings(directory: str, env: dict[str, str]) -> dict:
    """Load a service's settings in its own environment with exactly `env`."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(REPO))}
    result = run(
        [service_python(directory), PROBE],
        cwd=REPO / directory,
        env={**base, **env},
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def probe_many(jobs: list[tuple[str, dict[str, str]]]) -> list[dict]:
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(lambda job: probe_settings(*job), jobs))


# --- tools and renders ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def tools() -> dict[str, Path]:
    """helm, kustomize, composecheck, dockerfilecheck: built by scripts/deploy-tools.sh
    (from the Go module proxy, cached per machine)."""
    result = run([REPO / "scripts" / "deploy-tools.sh"], timeout=1800)
    found = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert set(found) == {"helm", "kustomize", "composecheck", "dockerfilecheck"}, result.stdout
    return {name: Path(path) for name, path in found.items()}


HELM_VALUES = {
    "helm-default": [],
    "helm-production": [CHART / "values-production.example.yaml"],
}


def helm_template(tools, values: list[Path], *extra: str) -> str:
    cmd = [tools["helm"], "template", "rentezy", CHART, "--namespace", NAMESPACE]
    for path in values:
        cmd += ["-f", path]
    return run([*cmd, *extra]).stdout


@pytest.fixture(scope="session")
def helm_renders(tools) -> dict[str, Render]:
    renders = {}
    for name, values in HELM_VALUES.items():
        text = helm_template(tools, values)
        renders[name] = Render(name, text, load_docs(text))
    return renders


def kustomize_build(tools, path: Path) -> Render:
    text = run([tools["kustomize"], "build", path]).stdout
    return Render(str(path.relative_to(REPO)), text, load_docs(text))


@pytest.fixture(scope="session")
def kustomize_renders(tools) -> dict[str, Render]:
    return {
        f"kustomize-{overlay}": kustomize_build(tools, K8S / "app" / "overlays" / overlay)
        for overlay in ("dev", "prod")
    }


@pytest.fixture(scope="session")
def infra_renders(tools) -> dict[str, Render]:
    return {
        f"infra-{overlay}": kustomize_build(tools, K8S / "infra" / "overlays" / overlay)
        for overlay in ("dev", "prod")
    }


@pytest.fixture(scope="session")
def app_renders(helm_renders, kustomize_renders) -> dict[str, Render]:
    """Every way the application reaches a cluster: helm (default, production example)
    and kubectl -k (dev, prod)."""
    return {**helm_renders, **kustomize_renders}


@pytest.fixture(scope="session")
def consumers() -> dict[str, dict]:
    """Each service's Kafka consumers from its own settings (dev defaults):
    {service: {consumer: {topics, group, dlq}}}."""
    names = list(SERVICES)
    reports = probe_many([(SERVICES[n].directory, {"RENTEZY_ENV": "dev"}) for n in names])
    for name, report in zip(names, reports, strict=True):
        assert report["ok"], f"{name}: {report.get('error')}"
    return {name: report["consumers"] for name, report in zip(names, reports, strict=True)}


@pytest.fixture(scope="session")
def topics() -> dict:
    return TOPICS


# --- a workload's environment, as the kubelet would build it -----------------------------------
# Stand-ins for secret values: 48 characters (above every length the settings demand),
# in the shape a real one has where the settings check the shape (Stripe's prefixes).
SECRET_SHAPES = {"STRIPE_SECRET_KEY": "sk_live_", "STRIPE_WEBHOOK_SECRET": "whsec_"}


def dummy_secret(variable: str) -> str:
    return (SECRET_SHAPES.get(variable, "") + "deploy-test-" + "0123456789abcdef" * 3)[:48]


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' dependent variables: $(NAME) of a variable defined earlier."""
    import re

    return re.sub(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m[1], m[0]), value)


def container_env(render: Render, container: dict) -> dict[str, str]:
    assert not container.get("envFrom"), f"{container['name']}: envFrom hides what is set"
    env: dict[str, str] = {}
    for entry in container.get("env", []):
        name = entry["name"]
        if "value" in entry:
            env[name] = expand(str(entry["value"]), env)
            continue
        source = entry["valueFrom"]
        if "secretKeyRef" in source:
            env[name] = dummy_secret(name)
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            data = render.get("ConfigMap", ref["name"]).get("data", {})
            assert ref["key"] in data, f"ConfigMap {ref['name']} has no key {ref['key']}"
            env[name] = data[ref["key"]]
        elif "fieldRef" in source:
            env[name] = "field-ref"
        else:
            raise AssertionError(f"{name}: unexpected source {source}")
    return env


def workloads(render: Render) -> list[tuple[dict, dict]]:
    """(object, pod spec) of every Deployment and Job."""
    return [
        (doc, doc["spec"]["template"]["spec"])
        for doc in render.docs
        if doc["kind"] in ("Deployment", "Job")
    ]


def pod_labels(doc: dict) -> dict[str, str]:
    return doc["spec"]["template"]["metadata"].get("labels", {})


def selects(selector: dict, labels: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels, matchExpressions) against labels."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def consumer_name(directory: str, process: str) -> str:
    """The consumer a Procfile process runs (`manage.py run_consumer <name>`)."""
    import re

    match = re.search(r"run_consumer\s+(\S+)", procfile(directory)[process])
    assert match, f"{directory} {process}: not a `run_consumer` process"
    return match[1]
