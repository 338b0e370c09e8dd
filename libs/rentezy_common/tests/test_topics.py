"""The platform's topics exist on the real broker as declared (created by `make up`/`make
test` through `python -m rentezy_common.events.topics`)."""

from confluent_kafka.admin import AdminClient, ConfigResource

from rentezy_common.events.kafka import kafka_config
from rentezy_common.events.topics import TOPICS, ensure_topics


def test_platform_topics_have_their_partitions_and_property_events_is_compacted():
    admin = AdminClient(kafka_config())
    ensure_topics(admin, TOPICS.values())  # idempotent: creates nothing if present
    metadata = admin.list_topics(timeout=10).topics
    for spec in TOPICS.values():
        assert len(metadata[spec.name].partitions) == spec.partitions, spec.name
    resource = ConfigResource(ConfigResource.Type.TOPIC, "property-events")
    configs = admin.describe_configs([resource])[resource].result()
    assert configs["cleanup.policy"].value == "compact"
    booking = ConfigResource(ConfigResource.Type.TOPIC, "booking-events")
    assert admin.describe_configs([booking])[booking].result()["cleanup.policy"].value == "delete"


def test_ensure_topics_is_idempotent():
    admin = AdminClient(kafka_config())
    assert ensure_topics(admin, TOPICS.values()) == []
