"""The chart: `helm lint --strict`, `helm template` (default values and the production
example), every rendered manifest (and kustomize's) against Kubernetes' own schemas with
kubernetes-validate --strict, for the oldest supported and the newest known version."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import kubernetes_validate.utils as kv
import pytest
import yaml
from conftest import CHART, HELM_VALUES, K8S, REPO, Render, helm_template, load_docs, run

KUBERNETES_VERSIONS = ("1.30.0", kv.latest_version())
VALIDATE = REPO / ".venv" / "bin" / "kubernetes-validate"
# Validated against their CRDs instead (test_operators.py).
CUSTOM_KINDS = {"HTTPRoute"}


def test_the_newest_kubernetes_is_newer_than_the_oldest_supported():
    assert kv.latest_version().startswith("1.") and KUBERNETES_VERSIONS[1] > "1.30.0"
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["kubeVersion"] == ">=1.30.0-0"


@pytest.mark.parametrize("values", list(HELM_VALUES), ids=list(HELM_VALUES))
def test_helm_lint_strict(tools, values):
    cmd = [tools["helm"], "lint", "--strict", CHART]
    for path in HELM_VALUES[values]:
        cmd += ["-f", path]
    result = run(cmd)
    assert "0 chart(s) failed" in result.stdout
    assert "[ERROR]" not in result.stdout and "[WARNING]" not in result.stdout, result.stdout


def test_renders_hold_every_kind_of_object(helm_renders):
    for render in helm_renders.values():
        kinds = {doc["kind"] for doc in render.docs}
        assert {
            "Deployment",
            "Service",
            "Ingress",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "NetworkPolicy",
            "ServiceAccount",
            "Job",
            "ConfigMap",
        } <= kinds, render.name
    assert "HTTPRoute" in {d["kind"] for d in helm_renders["helm-production"].docs}


def validate(paths: list[Path]) -> tuple[str, int]:
    cmd = [VALIDATE, "--strict"]
    for version in KUBERNETES_VERSIONS:
        cmd += ["-k", version]
    result = run([*cmd, *paths], check=False)
    return result.stdout + result.stderr, result.returncode


def test_every_rendered_manifest_is_valid_kubernetes(app_renders, infra_renders, tmp_path):
    """kubernetes-validate --strict: unknown fields are errors. A schema it does not have
    (a custom resource) is only allowed for the kinds test_operators.py validates."""
    paths, expected = [], 0
    for render in [*app_renders.values(), *infra_renders.values()]:
        path = tmp_path / f"{render.name.replace('/', '_')}.yaml"
        path.write_text(render.text)
        paths.append(path)
        expected += sum(
            1
            for doc in render.docs
            if doc["apiVersion"].split("/")[0] not in OPERATOR_GROUPS
            and doc["kind"] not in CUSTOM_KINDS
        )
    output, code = validate(paths)
    errors = [line for line in output.splitlines() if line.startswith(("ERROR", "FATAL"))]
    assert not errors and code == 0, "\n".join(errors or [output[-3000:]])
    for line in output.splitlines():
        if line.startswith("WARN"):
            kind = re.search(r"kind (\S+) with api version (\S+)", line)
            assert kind, line
            assert kind[1] in CUSTOM_KINDS or kind[2].split("/")[0] in OPERATOR_GROUPS, line
    passed = [line for line in output.splitlines() if line.startswith("INFO") and "passed" in line]
    assert len(passed) == expected * len(KUBERNETES_VERSIONS), output[-2000:]
    print(f"kubernetes-validate: {expected} manifests x {len(KUBERNETES_VERSIONS)} versions")


OPERATOR_GROUPS = {
    "postgresql.cnpg.io",
    "kafka.strimzi.io",
    "elasticsearch.k8s.elastic.co",
    "redis.redis.opstreelabs.in",
    "barmancloud.cnpg.io",
}


def test_kubernetes_validate_rejects_an_unknown_field(helm_renders, tmp_path):
    """The validator catches what this suite relies on it for (a control)."""
    deployment = copy.deepcopy(helm_renders["helm-default"].of_kind("Deployment")[0])
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(deployment))
    output, code = validate([path])
    assert code != 0 and "livenessProbes" in output, output


def test_kustomize_base_is_the_chart_rendered(tools):
    """k8s/app/base/rentezy.yaml is generated (scripts/render-k8s-base.sh): stale = fail."""
    committed = (K8S / "app" / "base" / "rentezy.yaml").read_text()
    fresh = helm_template(tools, [K8S / "app" / "base" / "values.yaml"])
    body = committed.split("\n", 2)[2]  # after the two GENERATED comment lines
    assert body == fresh, "k8s/app/base/rentezy.yaml is stale: run scripts/render-k8s-base.sh"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("image.tag=latest", "/image/tag"),
        ("services.booking.uses[0]=postgres", "/services/booking/uses/0"),
        ("services.booking.processes.inventory.autoscaling.maxReplicas=7", "at most 6 replicas"),
        ("services.rent.processes.beat.replicas=2", "exactly one replica"),
        ("services.booking.processes.web.kind=daemon", "processes/web/kind"),
        ("postgresql.sslmode=sometimes", "/postgresql/sslmode"),
        ("bogus=1", "bogus"),
    ],
)
def test_the_chart_refuses_bad_values(tools, setting, message):
    result = run(
        [tools["helm"], "template", "rentezy", CHART, "--set", setting], check=False, timeout=120
    )
    assert result.returncode != 0 and message in result.stderr, result.stderr


def test_values_need_no_secret_and_hold_none():
    """Values name Secrets; they never carry one."""
    for path in (CHART / "values.yaml", CHART / "values-production.example.yaml"):
        text = path.read_text()
        for word in ("password:", "secretKey:", "token:", "dev-insecure-", "sk_live_", "whsec_"):
            assert word not in text, f"{path.name}: {word}"


def test_the_filesystem_media_backend_needs_a_shared_claim(tools):
    result = run(
        [tools["helm"], "template", "rentezy", CHART, "--set", "storage.backend=filesystem"],
        check=False,
    )
    assert result.returncode != 0 and "existingClaim" in result.stderr
    text = run(
        [
            tools["helm"],
            "template",
            "rentezy",
            CHART,
            "--set",
            "storage.backend=filesystem",
            "--set",
            "storage.filesystem.existingClaim=media",
        ]
    ).stdout
    render = Render("filesystem", text, load_docs(text))
    web = render.get("Deployment", "rentezy-property-web")["spec"]["template"]["spec"]
    assert {"name": "media", "persistentVolumeClaim": {"claimName": "media"}} in web["volumes"]
