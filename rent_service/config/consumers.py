"""This service's Kafka consumers (settings.RENTEZY_CONSUMERS); run one with
`manage.py run_consumer <name>`."""

from django.conf import settings

from rentezy_common.events.consumer import ConsumerSpec

CONSUMERS = [
    # booking-events -> leases: a confirmed booking is a lease; cancelled before move-in,
    # it ends.
    ConsumerSpec(
        name="bookings",
        topics=[settings.BOOKING_EVENTS_TOPIC],
        group_id=settings.RENT_BOOKINGS_CONSUMER_GROUP,
        handler="leases.handlers.on_booking_event",
    ),
    # property-events -> the directory: properties' owners, addresses and time zones
    # (the leases' dates).
    ConsumerSpec(
        name="properties",
        topics=[settings.PROPERTY_EVENTS_TOPIC],
        group_id=settings.RENT_PROPERTIES_CONSUMER_GROUP,
        handler="leases.handlers.on_property_event",
    ),
    # user-events -> the directory: people's names on receipts, their zone and locale.
    ConsumerSpec(
        name="users",
        topics=[settings.USER_EVENTS_TOPIC],
        group_id=settings.RENT_USERS_CONSUMER_GROUP,
        handler="leases.handlers.on_user_event",
    ),
]
