"""This service's Kafka consumers (settings.RENTEZY_CONSUMERS); run one with
`manage.py run_consumer <name>`."""

from django.conf import settings

from rentezy_common.events.consumer import ConsumerSpec

CONSUMERS = [
    # property-events -> the search index. One `_bulk` request per batch; idempotent by
    # Elasticsearch external versions, so no processed-event ledger (a replay into a
    # rebuilt index must re-apply everything). docs/services/search.md.
    ConsumerSpec(
        name="properties",
        topics=[settings.SEARCH_PROPERTY_TOPIC],
        group_id=settings.SEARCH_CONSUMER_GROUP,
        batch_handler="indexer.handlers.on_property_events",
        on_start="indexer.handlers.on_start",
        ledger=False,
        # Up to this many already-fetched events per bulk request: big enough to keep
        # up with a burst, and an idle consumer still writes each event at once.
        batch_size=1000,
    ),
    # booking-events -> room availability: `inventory.changed` kept per room in the
    # availability table (a version column makes it idempotent, so no ledger either: a
    # rewound group re-applies everything), then merged into the property documents
    # (one `_mget` + one `_bulk` per batch). booking.* events are ignored.
    ConsumerSpec(
        name="availability",
        topics=[settings.SEARCH_BOOKING_TOPIC],
        group_id=settings.SEARCH_AVAILABILITY_GROUP,
        batch_handler="indexer.handlers.on_booking_events",
        on_start="indexer.handlers.on_start",
        ledger=False,
        batch_size=1000,
    ),
]
