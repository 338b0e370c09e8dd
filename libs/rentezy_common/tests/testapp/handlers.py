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
