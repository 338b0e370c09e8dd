"""Events: the envelope, the transactional outbox and the consumer runner.

    from rentezy_common.events import publish_event

    with transaction.atomic():
        booking.save()
        publish_event(topic="booking-events", event_type="booking.confirmed",
                      aggregate_type="booking", aggregate_id=booking.id,
                      payload={...})

The Django app label is `rentezy_events`; its tables are the outbox, per-aggregate
version counters and the processed-event ledger of idempotent consumers.
"""


def __getattr__(name):
    # Lazy: importing the package must not import models before apps are ready.
    if name in ("publish_event", "publish_events"):
        from . import outbox

        return getattr(outbox, name)
    if name == "EventEnvelope":
        from .envelope import EventEnvelope

        return EventEnvelope
    raise AttributeError(name)
