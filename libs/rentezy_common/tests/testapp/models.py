from django.db import models


class Counter(models.Model):
    """Handler effect the consumer tests observe: +1 per handled event."""

    name = models.CharField(max_length=100, unique=True)
    value = models.IntegerField(default=0)
    last_version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Item(models.Model):
    name = models.CharField(max_length=20)
    quantity = models.IntegerField()

    def __str__(self) -> str:
        return self.name
