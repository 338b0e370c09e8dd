from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it announces.

    The relay publishes unsent rows in `seq` order and marks them sent; failed rows wait
    until `next_attempt_at`. Columns follow Debezium's outbox table (id, aggregatetype,
    aggregateid, type, payload) plus our envelope fields and delivery bookkeeping.
    """

    seq = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    topic = models.CharField(max_length=249)  # Kafka's own limit on topic names
    event_type = models.CharField(max_length=200)
    aggregate_type = models.CharField(max_length=100)
    aggregate_id = models.CharField(max_length=200)
    version = models.BigIntegerField()
    occurred_at = models.DateTimeField()
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    trace = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, db_default=0)
    next_attempt_at = models.DateTimeField(db_default=Now())
    last_error = models.TextField(blank=True, default="", db_default="")

    class Meta:
        indexes = [
            # The relay's claim: unsent rows in order.
            models.Index(fields=["seq"], name="outbox_unsent_idx", condition=Q(sent_at=None)),
            # "Is an earlier event of this aggregate still unsent?" (per-aggregate order).
            models.Index(
                fields=["aggregate_type", "aggregate_id", "seq"],
                name="outbox_unsent_aggregate_idx",
                condition=Q(sent_at=None),
            ),
            # Purging old sent rows.
            models.Index(fields=["sent_at"], name="outbox_sent_at_idx", condition=~Q(sent_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.aggregate_type}:{self.aggregate_id} v{self.version}"


class AggregateVersion(models.Model):
    """The last event version given to an aggregate (versions are 1, 2, 3, ...).

    Incremented by an upsert inside the publishing transaction, which also serializes
    concurrent publishers of one aggregate: their outbox rows get versions in commit order.
    """

    aggregate_type = models.CharField(max_length=100)
    aggregate_id = models.CharField(max_length=200)
    version = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["aggregate_type", "aggregate_id"], name="aggregate_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.aggregate_type}:{self.aggregate_id} v{self.version}"


class ProcessedEvent(models.Model):
    """Ledger of an idempotent consumer: written in the handler's own transaction, so an
    event's effects and its "processed" mark commit or roll back together."""

    consumer = models.CharField(max_length=200)
    event_id = models.UUIDField()
    processed_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "event_id"], name="processed_event_unique")
        ]
        indexes = [models.Index(fields=["processed_at"], name="processed_event_at_idx")]

    def __str__(self) -> str:
        return f"{self.consumer} {self.event_id}"
