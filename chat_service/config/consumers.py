"""This service's Kafka consumers (settings.RENTEZY_CONSUMERS); run one with
`manage.py run_consumer <name>`. One topic each, so each scales with its partitions."""

from django.conf import settings

from rentezy_common.events.consumer import ConsumerSpec

CONSUMERS = [
    # Who owns each property, and whether it is published: who a tenant may write to.
    ConsumerSpec(
        name="properties",
        topics=[settings.PROPERTY_EVENTS_TOPIC],
        group_id=settings.CHAT_PROPERTIES_CONSUMER_GROUP,
        handler="chat.handlers.on_property_event",
    ),
    # Bookings and visits: the tenants a landlord may write to first, and the bookings a
    # conversation may be linked to.
    ConsumerSpec(
        name="bookings",
        topics=[settings.BOOKING_EVENTS_TOPIC],
        group_id=settings.CHAT_BOOKINGS_CONSUMER_GROUP,
        handler="chat.handlers.on_booking_event",
    ),
    ConsumerSpec(
        name="visits",
        topics=[settings.VISIT_EVENTS_TOPIC],
        group_id=settings.CHAT_VISITS_CONSUMER_GROUP,
        handler="chat.handlers.on_visit_event",
    ),
    # Ended sessions and deactivated users: their sockets are closed within seconds. A
    # consumer of its own, so a backlog elsewhere never delays a logout.
    ConsumerSpec(
        name="sessions",
        topics=[settings.USER_EVENTS_TOPIC],
        group_id=settings.CHAT_SESSIONS_CONSUMER_GROUP,
        handler="chat.handlers.on_user_event",
    ),
]
