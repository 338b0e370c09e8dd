"""What search_consumer keeps besides the index: each room's newest availability."""

from django.db import models


class RoomAvailability(models.Model):
    """The newest `inventory.changed` of a room (booking-events): merged into its
    property's search document whenever either changes, and by a reindex.

    Rows are written only by `services.availability_upsert` (one INSERT ... ON CONFLICT
    that keeps the higher `version`), never deleted: a room removed from its property
    arrives as `bookable: false`, and its row is ignored once the property's snapshot no
    longer lists the room."""

    room_id = models.UUIDField(primary_key=True)
    property_id = models.UUIDField(db_index=True)  # the merge reads rows by property
    total_units = models.IntegerField()
    available_units = models.IntegerField()
    bookable = models.BooleanField()
    version = models.BigIntegerField()  # the event's per-room version
    # When the row last changed (database clock): a reindex re-applies the rows that
    # changed while it ran.
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "indexer_room_availability"

    def __str__(self) -> str:
        return f"room {self.room_id}: {self.available_units}/{self.total_units} v{self.version}"
