"""Events as a consumer receives them, for a service's tests: a `property-events`
envelope around a snapshot (docs/contracts/property-events.md)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from ..events.envelope import EventEnvelope


def property_envelope(snapshot: dict, version: int, event_type: str | None = None):
    """The envelope carrying `snapshot` at `version` (its type from its status unless
    given), its payload a JSON round trip of the snapshot, as Kafka delivers it."""
    published = snapshot.get("status") == "published"
    return EventEnvelope(
        id=uuid.uuid4(),
        type=event_type or f"property.{'published' if published else 'updated'}",
        source="property",
        aggregate_type="property",
        aggregate_id=snapshot["id"],
        version=version,
        occurred_at=datetime.now(UTC),
        payload=json.loads(json.dumps(snapshot)),
    )


__all__ = ["property_envelope"]
