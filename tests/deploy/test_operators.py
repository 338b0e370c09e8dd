"""The stateful dependencies as operator resources (k8s/infra): every custom resource
against its operator's CRD schema (vendored in k8s/crds with its version), with unknown
fields refused as the API server's strict field validation refuses them; and the
resources against the code: a database and role per service, a KafkaTopic for every
topic and dead-letter topic with the code's partitions and compaction, the endpoints
the chart's defaults point at."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import CHART, K8S, SERVICES, TOPICS

from rentezy_common.events.topics import DEAD_LETTER_PARTITIONS

CRDS = K8S / "crds"


def strict(schema: dict) -> dict:
    """An OpenAPI v3 structural schema as JSON Schema, closed where Kubernetes prunes:
    an object with `properties` and no `additionalProperties` (nor
    x-kubernetes-preserve-unknown-fields) accepts no other field."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if (
                node.get("type") == "object"
                and "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for key, value in list(node.items()):
                if key.startswith("x-kubernetes-"):
                    continue
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    # apiVersion, kind and metadata are the API server's, not in every CRD's schema.
    schema.setdefault("properties", {}).update(
        {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
        }
    )
    return schema


def load_crds() -> dict[tuple[str, str], dict]:
    """{(apiVersion, kind): strict schema} of every served version of every vendored CRD."""
    schemas = {}
    for path in sorted(CRDS.glob("*/*.yaml")):
        for crd in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served"):
                    schema = version["schema"]["openAPIV3Schema"]
                    schemas[(f"{group}/{version['name']}", kind)] = strict(schema)
    return schemas


@pytest.fixture(scope="module")
def crds():
    return load_crds()


def custom_resources(renders):
    builtin = ("v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1", "autoscaling/v2")
    for render in renders:
        for doc in render.docs:
            if doc["apiVersion"] not in builtin:
                yield render.name, doc


def test_every_crd_directory_is_documented():
    readme = (CRDS / "README.md").read_text()
    for directory in CRDS.iterdir():
        if directory.is_dir():
            assert f"`{directory.name}/`" in readme, directory.name
            assert list(directory.glob("*.yaml")), directory.name


def test_custom_resources_match_their_operators_schemas(crds, infra_renders, helm_renders):
    checked = 0
    for where, doc in custom_resources([*infra_renders.values(), *helm_renders.values()]):
        key = (doc["apiVersion"], doc["kind"])
        assert key in crds, f"{where}: no vendored CRD for {key} (k8s/crds/README.md)"
        errors = sorted(
            jsonschema.Draft7Validator(crds[key]).iter_errors(doc), key=lambda e: list(e.path)
        )
        assert not errors, f"{where} {doc['kind']}/{doc['metadata']['name']}: " + "; ".join(
            f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors[:5]
        )
        checked += 1
    kinds = {
        doc["kind"]
        for _, doc in custom_resources([*infra_renders.values(), *helm_renders.values()])
    }
    assert {
        "Cluster",
        "Database",
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
        "Elasticsearch",
        "Redis",
        "ObjectStore",
        "ScheduledBackup",
        "HTTPRoute",
    } <= kinds
    print(f"custom resources validated against their CRDs: {checked}")


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("Cluster", ["spec", "instancez"], 3),  # unknown field
        ("Cluster", ["spec", "instances"], "three"),  # wrong type
        ("KafkaTopic", ["spec", "partitions"], 0),  # below the minimum
        ("Elasticsearch", ["spec", "nodeSets", 0, "cont"], 1),
        ("Redis", ["spec", "kubernetesConfig", "redisSecret"], "rentezy-redis"),  # wrong type
    ],
)
def test_the_schemas_refuse_a_broken_resource(crds, infra_renders, kind, path, value):
    """Controls: the validation above can fail."""
    doc = copy.deepcopy(next(d for d in infra_renders["infra-prod"].docs if d["kind"] == kind))
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    validator = jsonschema.Draft7Validator(crds[(doc["apiVersion"], kind)])
    assert list(validator.iter_errors(doc)), f"{kind}: {path} = {value!r} was accepted"


def test_a_database_and_a_role_per_service(infra_renders):
    chart = yaml.safe_load((CHART / "values.yaml").read_text())
    for render in infra_renders.values():
        clusters = [d for d in render.docs if d["kind"] == "Cluster"]
        assert [c["metadata"]["name"] for c in clusters] == ["rentezy-pg"]
        assert chart["postgresql"]["host"] == "rentezy-pg-rw"  # CloudNativePG's rw Service
        roles = {r["name"]: r for r in clusters[0]["spec"]["managed"]["roles"]}
        databases = {d["spec"]["name"]: d for d in render.docs if d["kind"] == "Database"}
        assert set(databases) == {spec.database for spec in SERVICES.values()}
        for name, spec in SERVICES.items():
            role = roles[spec.database]
            assert role["login"] and role["ensure"] == "present"
            # The same Secret gives CloudNativePG the password and the chart's pods.
            secret = chart["services"][name]["database"]["existingSecret"]
            assert role["passwordSecret"]["name"] == secret
            database = databases[spec.database]
            assert database["spec"]["owner"] == spec.database
            assert database["spec"]["cluster"]["name"] == "rentezy-pg"


def test_a_topic_for_every_topic_and_dead_letter_topic(infra_renders, consumers):
    dead_letters = {c["dlq"] for service in consumers.values() for c in service.values()}
    assert dead_letters  # the code has consumers
    for render in infra_renders.values():
        topics = {
            d["spec"].get("topicName", d["metadata"]["name"]): d
            for d in render.docs
            if d["kind"] == "KafkaTopic"
        }
        assert set(topics) == set(TOPICS) | dead_letters, render.name
        for name, spec in TOPICS.items():
            topic = topics[name]["spec"]
            assert topic["partitions"] == spec.partitions, name
            for key, value in spec.config.items():
                assert str(topic["config"][key]) == value, (name, key)
            if spec.config.get("cleanup.policy") != "compact":
                assert "retention.ms" in topic["config"], name
        assert topics["property-events"]["spec"]["config"]["cleanup.policy"] == "compact"
        for name in dead_letters:
            assert topics[name]["spec"]["partitions"] == DEAD_LETTER_PARTITIONS
        for topic in topics.values():
            assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "rentezy-kafka"
            assert topic["spec"]["replicas"] <= brokers(render), topic["metadata"]["name"]


def brokers(render) -> int:
    return sum(
        d["spec"]["replicas"]
        for d in render.docs
        if d["kind"] == "KafkaNodePool" and "broker" in d["spec"]["roles"]
    )


def test_kafka_is_kraft_with_node_pools_and_declared_topics_only(infra_renders):
    for render in infra_renders.values():
        kafka = next(d for d in render.docs if d["kind"] == "Kafka")
        config = kafka["spec"]["kafka"]["config"]
        assert config["auto.create.topics.enable"] is False
        assert "zookeeper" not in kafka["spec"]
        pools = [d for d in render.docs if d["kind"] == "KafkaNodePool"]
        roles = {role for pool in pools for role in pool["spec"]["roles"]}
        assert roles == {"controller", "broker"}, render.name
        assert config["default.replication.factor"] <= brokers(render)
        assert config["min.insync.replicas"] <= config["default.replication.factor"]
        listener = kafka["spec"]["kafka"]["listeners"][0]
        chart = yaml.safe_load((CHART / "values.yaml").read_text())["kafka"]
        assert chart["bootstrapServers"] == f"rentezy-kafka-kafka-bootstrap:{listener['port']}"


def test_elasticsearch_and_redis_are_where_the_chart_looks(infra_renders):
    chart = yaml.safe_load((CHART / "values.yaml").read_text())
    for render in infra_renders.values():
        es = next(d for d in render.docs if d["kind"] == "Elasticsearch")
        assert es["spec"]["version"].startswith("8.")
        # ECK's HTTP Service is <name>-es-http; TLS off inside the cluster.
        assert chart["elasticsearch"]["url"] == f"http://{es['metadata']['name']}-es-http:9200"
        assert es["spec"]["http"]["tls"]["selfSignedCertificate"]["disabled"] is True
        redis = next(d for d in render.docs if d["kind"] == "Redis")
        assert chart["redis"]["host"] == redis["metadata"]["name"]
        assert (
            chart["redis"]["existingSecret"]
            == redis["spec"]["kubernetesConfig"]["redisSecret"]["name"]
        )
        policy = next(
            d
            for d in render.docs
            if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "rentezy-es"
        )
        assert policy["spec"]["podSelector"]["matchLabels"] == {
            "elasticsearch.k8s.elastic.co/cluster-name": es["metadata"]["name"]
        }


def test_production_backs_up_postgresql(infra_renders):
    docs = infra_renders["infra-prod"].docs
    cluster = next(d for d in docs if d["kind"] == "Cluster")
    plugin = cluster["spec"]["plugins"][0]
    assert plugin["name"] == "barman-cloud.cloudnative-pg.io" and plugin["isWALArchiver"]
    store = next(d for d in docs if d["kind"] == "ObjectStore")
    assert plugin["parameters"]["barmanObjectName"] == store["metadata"]["name"]
    schedule = next(d for d in docs if d["kind"] == "ScheduledBackup")
    assert schedule["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert schedule["spec"]["method"] == "plugin"
    assert len(schedule["spec"]["schedule"].split()) == 6  # CloudNativePG: seconds first


def test_no_secret_values_in_k8s():
    for path in Path(K8S).rglob("*.yaml"):
        if "crds" in path.parts:
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "Secret":
                assert not doc.get("data") and not doc.get("stringData"), path
            if doc and doc.get("kind") == "Kustomization":
                assert not doc.get("secretGenerator"), path
