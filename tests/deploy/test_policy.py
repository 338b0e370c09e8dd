"""The platform's deployment policy, over every way the application reaches a cluster
(helm with the default values and the production example, kubectl -k dev and prod):
probes, resources, hardening, disruption budgets, network policies, autoscaling within
the partitions, no `latest`, no secret values, Services that select something, and every
setting the code needs in production, checked by loading each service's settings with
the environment its pods get."""

from __future__ import annotations

import tomllib
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import (
    CHART,
    REPO,
    SERVICES,
    TOPICS,
    consumer_name,
    container_env,
    pod_labels,
    probe_many,
    process_kind,
    procfile,
    routed_services,
    selects,
    workloads,
)

RENDERS = ["helm-default", "helm-production", "kustomize-dev", "kustomize-prod"]


@pytest.fixture(scope="module", params=RENDERS)
def render(request, app_renders):
    return app_renders[request.param]


def labels_of(doc):
    labels = pod_labels(doc)
    return labels.get("rentezy.io/service"), labels.get("rentezy.io/process")


def containers(pod: dict) -> list[dict]:
    return [*pod.get("initContainers", []), *pod["containers"]]


# --- shape of the release -------------------------------------------------------------------
def test_every_procfile_process_of_every_service_is_a_deployment(render):
    expected = {
        (name, process) for name, spec in SERVICES.items() for process in procfile(spec.directory)
    }
    found = {labels_of(d) for d in render.of_kind("Deployment")}
    assert found == expected


def test_chart_values_match_the_platform_registry():
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert set(values["services"]) == set(SERVICES)
    for name, spec in SERVICES.items():
        entry = values["services"][name]
        assert (entry["directory"], entry["port"], entry["redisDb"]) == (
            spec.directory,
            spec.default_port,
            spec.redis_db,
        ), name
        assert set(entry["processes"]) == set(procfile(spec.directory)), name
        for process, settings in entry["processes"].items():
            assert settings["kind"] == process_kind(process), (name, process)
        assert bool(entry.get("routed")) == (name in routed_services()), name


def test_every_service_has_a_migration_job(render):
    jobs = {labels_of(d) for d in render.of_kind("Job")}
    assert jobs == {(name, "migrate") for name in SERVICES}
    for job in render.of_kind("Job"):
        container = job["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["python", "manage.py", "migrate", "--noinput"]
        if render.name.startswith("helm"):
            hooks = job["metadata"]["annotations"]["helm.sh/hook"]
            assert hooks == "pre-install,pre-upgrade"


# --- pods ------------------------------------------------------------------------------------
def test_pods_are_locked_down(render):
    for doc, pod in workloads(render):
        name = doc["metadata"]["name"]
        assert pod["automountServiceAccountToken"] is False, name
        security = pod["securityContext"]
        assert security["runAsNonRoot"] is True and security["runAsUser"] != 0, name
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}, name
        tmp = [v for v in pod["volumes"] if v["name"] == "tmp"]
        assert tmp and "emptyDir" in tmp[0], name
        for container in containers(pod):
            where = f"{name}/{container['name']}"
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert not context["capabilities"].get("add"), where
            assert context["runAsNonRoot"] is True, where
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, where
            tmp_mount = {"name": "tmp", "mountPath": "/tmp"}  # noqa: S108 - the pod's emptyDir
            assert tmp_mount in container["volumeMounts"], where
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[bound]), (where, bound)


def test_service_accounts_mount_no_token(render):
    accounts = {d["metadata"]["name"]: d for d in render.of_kind("ServiceAccount")}
    for doc, pod in workloads(render):
        account = accounts[pod["serviceAccountName"]]
        assert account["automountServiceAccountToken"] is False, doc["metadata"]["name"]


def test_no_latest_and_every_image_tagged(render):
    for _doc, pod in workloads(render):
        for container in containers(pod):
            image = container["image"]
            repository, _, tag = image.rpartition(":")
            assert repository and "/" not in tag, image
            assert tag and tag != "latest", image


def test_no_secret_values(render):
    """Secrets are referenced by name; the release creates none."""
    assert not render.of_kind("Secret")
    for _doc, pod in workloads(render):
        for container in containers(pod):
            for entry in container.get("env", []):
                value = str(entry.get("value", ""))
                assert "dev-insecure-" not in value, entry
                if entry["name"].endswith(("SECRET", "SECRETS", "SECRET_KEY", "PASSWORD")):
                    assert "valueFrom" in entry and "secretKeyRef" in entry["valueFrom"], entry


def test_probes_fit_each_kind_of_process(render):
    for doc in render.of_kind("Deployment"):
        service, process = labels_of(doc)
        container = doc["spec"]["template"]["spec"]["containers"][0]
        where = doc["metadata"]["name"]
        assert container["args"] == [process], where  # the Procfile line (docker/entrypoint.sh)
        assert "startupProbe" in container and "livenessProbe" in container, where
        kind = process_kind(process)
        if kind == "web":
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", where
            assert container["startupProbe"]["httpGet"]["path"] == "/healthz", where
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", where
            port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
            assert port == SERVICES[service].default_port, where
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                headers = container[probe]["httpGet"]["httpHeaders"]
                assert {"name": "Host", "value": "localhost"} in headers, where
        else:
            assert "readinessProbe" not in container, where  # no traffic to be ready for
            command = " ".join(container["livenessProbe"]["exec"]["command"])
            expected = {
                "worker": "inspect ping",
                "beat": "rentezy-probe beat",
                "relay": "rentezy-probe process",
                "consumer": "rentezy-probe process",
            }[kind]
            assert expected in command, where
        for probe in ("livenessProbe", "startupProbe", "readinessProbe"):
            if probe in container:
                assert container[probe]["periodSeconds"] > 0, where


def test_pods_wait_for_their_migrations(render):
    for doc in render.of_kind("Deployment"):
        pod = doc["spec"]["template"]["spec"]
        init = {c["name"]: c for c in pod.get("initContainers", [])}
        waiter = init["wait-for-migrations"]
        assert "migrate --check" in " ".join(waiter["command"]), doc["metadata"]["name"]
        assert waiter["image"] == pod["containers"][0]["image"]


def test_beat_is_one_replica_replaced_not_rolled(render):
    hpa_targets = {
        h["spec"]["scaleTargetRef"]["name"] for h in render.of_kind("HorizontalPodAutoscaler")
    }
    beats = [d for d in render.of_kind("Deployment") if labels_of(d)[1] == "beat"]
    assert beats
    for beat in beats:
        assert beat["spec"]["replicas"] == 1
        assert beat["spec"]["strategy"] == {"type": "Recreate"}
        assert beat["metadata"]["name"] not in hpa_targets


# --- budgets, autoscaling, policies, services -------------------------------------------------
def test_every_deployment_has_a_disruption_budget(render):
    budgets = render.of_kind("PodDisruptionBudget")
    for doc in render.of_kind("Deployment"):
        matching = [b for b in budgets if selects(b["spec"]["selector"], pod_labels(doc))]
        assert len(matching) == 1, doc["metadata"]["name"]
        spec = matching[0]["spec"]
        assert ("maxUnavailable" in spec) != ("minAvailable" in spec)
        if "minAvailable" in spec:  # never blocks every drain
            hpa = {
                h["spec"]["scaleTargetRef"]["name"]: h
                for h in render.of_kind("HorizontalPodAutoscaler")
            }.get(doc["metadata"]["name"])
            floor = hpa["spec"]["minReplicas"] if hpa else doc["spec"]["replicas"]
            assert spec["minAvailable"] < floor, doc["metadata"]["name"]


def test_web_processes_and_consumers_autoscale_within_their_partitions(render, consumers):
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in render.of_kind("HorizontalPodAutoscaler")
    }
    public = routed_services() | {"gateway"}
    for doc in render.of_kind("Deployment"):
        service, process = labels_of(doc)
        name = doc["metadata"]["name"]
        hpa = hpas.get(name)
        kind = process_kind(process)
        if (kind == "web" and service in public) or kind == "consumer":
            assert hpa, f"{name} has no HorizontalPodAutoscaler"
        if kind == "consumer":
            consumer = consumers[service][consumer_name(SERVICES[service].directory, process)]
            partitions = min(TOPICS[t].partitions for t in consumer["topics"])
            top = hpa["spec"]["maxReplicas"] if hpa else doc["spec"]["replicas"]
            assert top <= partitions, f"{name}: up to {top} replicas, {partitions} partitions"
        if hpa:
            assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"], name
            assert "replicas" not in doc["spec"], f"{name}: replicas fight the autoscaler"


def test_every_service_selects_a_deployment(render):
    deployments = render.of_kind("Deployment")
    for service in render.of_kind("Service"):
        selector = {"matchLabels": service["spec"]["selector"]}
        matched = [d for d in deployments if selects(selector, pod_labels(d))]
        assert matched, service["metadata"]["name"]
        for deployment in matched:
            ports = {
                p["name"]
                for c in deployment["spec"]["template"]["spec"]["containers"]
                for p in c.get("ports", [])
            }
            for port in service["spec"]["ports"]:
                assert port["targetPort"] in ports, service["metadata"]["name"]


def network_policies_for(render, labels):
    return [p for p in render.of_kind("NetworkPolicy") if selects(p["spec"]["podSelector"], labels)]


def test_default_deny_and_a_policy_for_every_workload(render):
    for doc, _ in workloads(render):
        policies = network_policies_for(render, pod_labels(doc))
        deny = [
            p
            for p in policies
            if set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress")
            and not p["spec"].get("egress")
        ]
        assert deny, f"{doc['metadata']['name']}: no default deny"
        egress = [p for p in policies if p["spec"].get("egress")]
        assert egress, f"{doc['metadata']['name']}: no egress policy"
        dns = [
            rule
            for p in egress
            for rule in p["spec"]["egress"]
            if {"protocol": "UDP", "port": 53} in rule.get("ports", [])
        ]
        assert dns, f"{doc['metadata']['name']}: no DNS"


def allowed_ingress(render, labels):
    return [
        rule
        for p in network_policies_for(render, labels)
        if "Ingress" in p["spec"]["policyTypes"]
        for rule in p["spec"].get("ingress", [])
    ]


def test_only_the_gateway_is_reachable_from_outside(render):
    deployments = {labels_of(d): d for d in render.of_kind("Deployment")}
    gateway = pod_labels(deployments[("gateway", "web")])
    outside = [peer for rule in allowed_ingress(render, gateway) for peer in rule["from"]]
    assert any("namespaceSelector" in peer for peer in outside)
    for (service, process), doc in deployments.items():
        rules = allowed_ingress(render, pod_labels(doc))
        if process != "web":
            assert not rules, f"{service}-{process} accepts connections"
            continue
        if service == "gateway":
            continue
        for rule in rules:
            for peer in rule["from"]:
                # The ingress controller's peers reach the gateway only.
                assert peer not in outside or peer.get("podSelector"), (service, peer)
                if "namespaceSelector" not in peer and "ipBlock" not in peer:
                    labels = peer["podSelector"]["matchLabels"]
                    assert labels.get("rentezy.io/service") in ("gateway", service), peer
        gateway_allowed = any(
            peer.get("podSelector", {}).get("matchLabels", {}).get("rentezy.io/service")
            == "gateway"
            for rule in rules
            for peer in rule["from"]
        )
        assert gateway_allowed == (service in routed_services()), service
    ingresses = render.of_kind("Ingress")
    assert len(ingresses) == 1
    backends = {
        path["backend"]["service"]["name"]
        for rule in ingresses[0]["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"rentezy-gateway"}
    for route in render.of_kind("HTTPRoute"):
        names = {b["name"] for rule in route["spec"]["rules"] for b in rule["backendRefs"]}
        assert names == {"rentezy-gateway"}


def test_gateway_reaches_every_routed_service_and_nothing_else_of_ours(render):
    deployments = {labels_of(d): d for d in render.of_kind("Deployment")}
    gateway = pod_labels(deployments[("gateway", "web")])
    reached = set()
    for policy in network_policies_for(render, gateway):
        for rule in policy["spec"].get("egress", []):
            for peer in rule.get("to", []):
                service = (
                    peer.get("podSelector", {}).get("matchLabels", {}).get("rentezy.io/service")
                )
                if service:
                    port = rule["ports"][0]["port"]
                    assert port == SERVICES[service].default_port
                    reached.add(service)
    assert reached == routed_services()


# --- configuration the code needs ---------------------------------------------------------------
def test_gateway_routes_are_the_repository_table(render):
    table = (REPO / "api_gateway" / "config" / "routes.toml").read_text()
    assert (CHART / "files" / "routes.toml").read_text() == table, (
        "helm/rentezy/files/routes.toml is stale: run scripts/render-k8s-base.sh"
    )
    configmap = render.get("ConfigMap", "rentezy-gateway-routes")
    assert configmap["data"]["routes.toml"].rstrip("\n") == table.rstrip("\n")


def test_public_url_follows_the_ingress_host(render):
    ingress = render.of_kind("Ingress")[0]
    host = ingress["spec"]["rules"][0]["host"]
    public = render.get("ConfigMap", "rentezy-public")["data"]
    assert urlsplit(public["PUBLIC_BASE_URL"]).hostname == host
    assert public["PUBLIC_BASE_URL"] in public["GATEWAY_CORS_ORIGINS"].split(",")
    assert host in public["PUBLIC_HOSTS"].split(",")
    tls = ingress["spec"].get("tls")
    assert urlsplit(public["PUBLIC_BASE_URL"]).scheme == ("https" if tls else "http")
    if tls:
        assert tls[0]["hosts"] == [host]


def production_jobs(render):
    """One settings load per distinct (service, environment); returns (label, dir, env)."""
    jobs, seen = [], set()
    routes_file = None
    for doc, pod in workloads(render):
        service, _process = labels_of(doc)
        for container in containers(pod):
            env = container_env(render, container)
            key = (service, tuple(sorted(env.items())))
            if key in seen:
                continue
            seen.add(key)
            if service == "gateway" and "GATEWAY_ROUTES_FILE" in env:
                mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
                routes = env["GATEWAY_ROUTES_FILE"]
                assert routes.rsplit("/", 1)[0] == mounts.get("routes"), "routes not mounted"
                if routes_file is None:
                    data = render.get("ConfigMap", "rentezy-gateway-routes")["data"]
                    routes_file = data["routes.toml"]
                env = {**env, "GATEWAY_ROUTES_FILE": routes_file}
            jobs.append((f"{doc['metadata']['name']}/{container['name']}", service, env))
    return jobs


_PRODUCTION: dict[str, tuple[list, list]] = {}


def production_reports(render, directory) -> tuple[list, list]:
    """Each distinct container environment of `render` loaded by its service's settings
    (once per render: two tests read the reports)."""
    if render.name not in _PRODUCTION:
        jobs = production_jobs(render)
        calls = []
        for index, (_, service, env) in enumerate(jobs):
            if "GATEWAY_ROUTES_FILE" in env:  # the mounted ConfigMap, as a file
                routes = directory / f"routes-{index}.toml"
                routes.write_text(env["GATEWAY_ROUTES_FILE"])
                env = {**env, "GATEWAY_ROUTES_FILE": str(routes)}
            calls.append((SERVICES[service].directory, env))
        _PRODUCTION[render.name] = (jobs, probe_many(calls))
    return _PRODUCTION[render.name]


@pytest.fixture(scope="module")
def reports_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("production")


def test_every_setting_the_code_needs_in_production_is_set(render, reports_dir):
    """Each container's environment (secret values replaced by 48-character stand-ins)
    loads its service's settings with RENTEZY_ENV=production: nothing missing, no
    development default, the gateway's routing table with every upstream."""
    jobs, reports = production_reports(render, reports_dir)
    for _, _, env in jobs:
        assert env["RENTEZY_ENV"] == "production"
    failures = [
        f"{label}: {report.get('error')}"
        for (label, _, _), report in zip(jobs, reports, strict=True)
        if not report["ok"]
    ]
    assert not failures, "\n".join(failures)
    services = {d["metadata"]["name"]: d for d in render.of_kind("Service")}
    for (label, service, _env), report in zip(jobs, reports, strict=True):
        assert report["environment"] == "production", label
        assert "localhost" in report["allowed_hosts"], label  # the probes' Host
        if service == "gateway":
            upstreams = report["upstreams"]
            assert set(upstreams) == routed_services()
            for name, url in upstreams.items():
                parts = urlsplit(url)
                target = services[parts.hostname]
                assert target["spec"]["selector"]["rentezy.io/service"] == name
                assert parts.port in [p["port"] for p in target["spec"]["ports"]]
                assert parts.hostname in allowed_hosts(render, name)


def allowed_hosts(render, service):
    for doc, pod in workloads(render):
        if labels_of(doc) == (service, "web"):
            env = container_env(render, pod["containers"][0])
            return env["DJANGO_ALLOWED_HOSTS"].split(",")
    raise AssertionError(service)


def test_egress_covers_what_each_service_checks_for_readiness(render, reports_dir):
    """What /readyz checks (settings.READINESS_CHECKS, from the code) is reachable from
    every pod of the service."""
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    ports = {
        "database": values["postgresql"]["port"],
        "redis": values["redis"]["port"],
        "kafka": values["kafka"]["port"],
        "elasticsearch": values["elasticsearch"]["port"],
        "search_index": values["elasticsearch"]["port"],
    }
    jobs, reports = production_reports(render, reports_dir)
    readiness = {}
    for (_, service, _), report in zip(jobs, reports, strict=True):
        assert report["ok"], report.get("error")
        readiness[service] = report["readiness"]
    assert set(readiness) == set(SERVICES)
    for doc, _ in workloads(render):
        service, process = labels_of(doc)
        open_ports = {
            port["port"]
            for policy in network_policies_for(render, pod_labels(doc))
            for rule in policy["spec"].get("egress", [])
            for port in rule.get("ports", [])
        }
        for check in readiness[service]:
            assert ports[check] in open_ports, f"{service}-{process}: /readyz checks {check}"


def test_chart_process_topics_match_the_consumers(consumers):
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    for name, entry in values["services"].items():
        for process, settings in entry["processes"].items():
            if settings["kind"] != "consumer":
                continue
            topics = consumers[name][consumer_name(entry["directory"], process)]["topics"]
            # A consumer of several topics lists them; its `topic` is the one with the
            # fewest partitions, which bounds its replicas.
            assert settings.get("topics", [settings["topic"]]) == topics, (name, process)
            assert settings["topic"] in topics, (name, process)
            assert settings["partitions"] == min(TOPICS[t].partitions for t in topics)
    assert tomllib.loads((CHART / "files" / "routes.toml").read_text())["upstreams"]
