"""The event envelope (docs/architecture/overview.md, "Events") and its JSON codec.

Shape follows Debezium's outbox event router: the Kafka key is `aggregate_id`, the value
is this envelope, and the `id` header carries the event id, so change-data-capture can
replace our relay later without consumers noticing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


class InvalidEnvelope(ValueError):
    """The bytes are not an event envelope: retrying cannot help (poison message)."""


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    id: uuid.UUID
    type: str
    source: str
    aggregate_type: str
    aggregate_id: str
    version: int
    occurred_at: datetime
    payload: dict[str, Any]
    trace: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "source": self.source,
            "aggregate_type": self.aggregate_type,
            "aggregate_id": self.aggregate_id,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "payload": self.payload,
            "trace": self.trace,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), cls=DjangoJSONEncoder, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes | str | None) -> EventEnvelope:
        if raw is None:
            raise InvalidEnvelope("empty message")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidEnvelope(f"not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidEnvelope("not a JSON object")
        try:
            payload = data["payload"]
            trace = data.get("trace") or {}
            if not isinstance(payload, dict) or not isinstance(trace, dict):
                raise InvalidEnvelope("payload and trace must be objects")
            version = data["version"]
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise InvalidEnvelope("version must be a positive integer")
            return cls(
                id=uuid.UUID(str(data["id"])),
                type=_text(data, "type"),
                source=_text(data, "source"),
                aggregate_type=_text(data, "aggregate_type"),
                aggregate_id=_text(data, "aggregate_id"),
                version=version,
                occurred_at=datetime.fromisoformat(_text(data, "occurred_at")),
                payload=payload,
                trace=trace,
            )
        except KeyError as exc:
            raise InvalidEnvelope(f"missing field {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, InvalidEnvelope):
                raise
            raise InvalidEnvelope(str(exc)) from None


def _text(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise InvalidEnvelope(f"{key} must be a non-empty string")
    return value
