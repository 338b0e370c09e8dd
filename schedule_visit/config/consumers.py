"""This service's Kafka consumers (settings.RENTEZY_CONSUMERS); run one with
`manage.py run_consumer <name>`."""

from django.conf import settings

from rentezy_common.events.consumer import ConsumerSpec

CONSUMERS = [
    # property-events -> each property's owner, published state and time zone: the
    # visits service never calls property_service. Unpublishing or deleting a property
    # cancels its upcoming visits.
    ConsumerSpec(
        name="properties",
        topics=[settings.PROPERTY_EVENTS_TOPIC],
        group_id=settings.VISITS_PROPERTY_CONSUMER_GROUP,
        handler="visits.handlers.on_property_event",
    ),
]
