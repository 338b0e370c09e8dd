from django.db.models import F

from tests.testapp.models import Counter

# Tests make handlers fail on purpose by listing aggregate ids here.
POISON_AGGREGATES: set[str] = set()


def count(envelope) -> None:
    if envelope.aggregate_id in POISON_AGGREGATES:
        raise RuntimeError(f"cannot handle {envelope.aggregate_id}")
    counter, _ = Counter.objects.get_or_create(name=envelope.aggregate_id)
    Counter.objects.filter(pk=counter.pk).update(
        value=F("value") + 1, last_version=envelope.version
    )


# Batch handler: what the batch-consumer tests observe and steer.
BATCH_SIZES: list[int] = []  # envelopes per call
REJECT_AGGREGATES: set[str] = set()  # rejected as malformed (returned, not raised)
UNAVAILABLE = {"times": 0}  # raise DependencyUnavailable this many more times


def count_batch(envelopes):
    from rentezy_common.events.consumer import DependencyUnavailable

    if UNAVAILABLE["times"]:
        UNAVAILABLE["times"] -= 1
        raise DependencyUnavailable("index unreachable")
    BATCH_SIZES.append(len(envelopes))
    rejected = {}
    for envelope in envelopes:
        if envelope.aggregate_id in REJECT_AGGREGATES:
            rejected[envelope.id] = ValueError(f"malformed {envelope.aggregate_id}")
            continue
        count(envelope)  # raises for POISON_AGGREGATES: the whole call fails
    return rejected
