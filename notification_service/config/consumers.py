"""This service's Kafka consumers (settings.RENTEZY_CONSUMERS); run one with
`manage.py run_consumer <name>`."""

from django.conf import settings

from rentezy_common.events.consumer import ConsumerSpec

CONSUMERS = [
    # Who people are (email, name, locale, time zone) and what properties are called:
    # the directory messages are written from, never a call to auth_service. Account
    # and security messages, and ended sessions (their sockets closed), come with it.
    ConsumerSpec(
        name="directory",
        topics=[settings.USER_EVENTS_TOPIC, settings.PROPERTY_EVENTS_TOPIC],
        group_id=settings.NOTIFICATION_DIRECTORY_CONSUMER_GROUP,
        handler="notifications.handlers.on_directory_event",
    ),
    # What happens to bookings, leases and invoices, and visits: the messages people
    # act on. One consumer: their volumes are alike and small.
    ConsumerSpec(
        name="activity",
        topics=[
            settings.BOOKING_EVENTS_TOPIC,
            settings.RENT_EVENTS_TOPIC,
            settings.VISIT_EVENTS_TOPIC,
        ],
        group_id=settings.NOTIFICATION_ACTIVITY_CONSUMER_GROUP,
        handler="notifications.handlers.on_activity_event",
    ),
    # Chat messages: by far the most events, so a consumer of their own, which a busy
    # chat never puts in front of a booking confirmation.
    ConsumerSpec(
        name="chat",
        topics=[settings.CHAT_EVENTS_TOPIC],
        group_id=settings.NOTIFICATION_CHAT_CONSUMER_GROUP,
        handler="notifications.handlers.on_chat_event",
    ),
]
