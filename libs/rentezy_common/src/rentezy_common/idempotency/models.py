from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Now


class IdempotencyKey(models.Model):
    """A user's `Idempotency-Key` and the answer its request got, replayed to a retry.

    Written in the same transaction as the request's own changes, so there is never a
    change without its key, nor a key without its change. `status_code` is null only
    inside that transaction.
    """

    user_id = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    headers = models.JSONField(default=dict)  # those of REPLAYED_HEADERS the answer had
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} -> {self.status_code}"
