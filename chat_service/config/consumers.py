"""This service's Kafka consumers (settings.RENTEZY_CONSUMERS); run one with
`manage.py run_consumer <name>`."""

from django.conf import settings

from rentezy_common.events.consumer import ConsumerSpec

CONSUMERS = [
    # Who owns each property, and who has a booking or a visit with whom: who may start
    # a conversation with whom, and what it may be linked to.
    ConsumerSpec(
        name="directory",
        topics=[
            settings.PROPERTY_EVENTS_TOPIC,
            settings.BOOKING_EVENTS_TOPIC,
            settings.VISIT_EVENTS_TOPIC,
        ],
        group_id=settings.CHAT_DIRECTORY_CONSUMER_GROUP,
        handler="chat.handlers.on_directory_event",
    ),
    # Ended sessions and deactivated users: their sockets are closed within seconds. A
    # consumer of its own, so a backlog of listings never delays a logout.
    ConsumerSpec(
        name="sessions",
        topics=[settings.USER_EVENTS_TOPIC],
        group_id=settings.CHAT_SESSIONS_CONSUMER_GROUP,
        handler="chat.handlers.on_user_event",
    ),
]
