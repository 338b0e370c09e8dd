"""This service's Kafka consumers (settings.RENTEZY_CONSUMERS); run one with
`manage.py run_consumer <name>`."""

from django.conf import settings

from rentezy_common.events.consumer import ConsumerSpec

CONSUMERS = [
    # property-events -> room inventory: booking_service keeps its own copy of every
    # room's units, so a hold never waits on property_service.
    ConsumerSpec(
        name="inventory",
        topics=[settings.PROPERTY_EVENTS_TOPIC],
        group_id=settings.BOOKING_INVENTORY_CONSUMER_GROUP,
        handler="bookings.handlers.on_property_event",
    ),
]
