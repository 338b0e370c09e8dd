"""The `property-events` payload contract, read from docs/contracts/property-events.md.

The doc's example snapshot is the schema: every key it shows must be in every snapshot,
with the JSON type of the example value (`null` also allowed where the doc's comment says
"or null"). Reading the doc itself, rather than a copy of it, means a change to the
contract that the service does not follow fails these tests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CONTRACT_DOC = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "property-events.md"

# Keys that the service leaves empty while a property is not published (a draft may be
# saved before its location and price are known; publishing requires both). The contract
# doc does not say "or null" for them: see docs/services/property.md.
NULL_UNLESS_PUBLISHED = {"location", "monthly_price"}


def _example_and_nullables() -> tuple[dict[str, Any], set[str]]:
    text = CONTRACT_DOC.read_text()
    block = re.search(r"## Payload.*?```json\n(.*?)```", text, re.S).group(1)
    nullable: set[str] = set()
    lines = []
    for line in block.splitlines():
        code, _, comment = line.partition("  //")
        if "or null" in comment:
            key = re.search(r'"(\w+)"\s*:', code)
            if key:
                nullable.add(key.group(1))
        lines.append(code)
    return json.loads("\n".join(lines)), nullable


EXAMPLE, NULLABLE = _example_and_nullables()


def _type_ok(example: Any, value: Any) -> bool:
    if isinstance(example, bool):
        return isinstance(value, bool)
    if isinstance(example, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(example, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(example, str):
        return isinstance(value, str)
    if isinstance(example, list):
        return isinstance(value, list)
    if isinstance(example, dict):
        return isinstance(value, dict)
    raise AssertionError(f"unexpected example type {type(example)}")


def _check(example: Any, value: Any, path: str, nullable: set[str], errors: list[str]) -> None:
    if isinstance(example, dict):
        if not isinstance(value, dict):
            errors.append(f"{path or '<root>'}: expected an object, got {value!r}")
            return
        for key, sub in example.items():
            where = f"{path}.{key}" if path else key
            if key not in value:
                errors.append(f"{where}: missing")
            elif value[key] is None:
                if key not in nullable:
                    errors.append(f"{where}: null")
            else:
                _check(sub, value[key], where, nullable, errors)
    elif isinstance(example, list):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {value!r}")
            return
        for index, item in enumerate(value):
            if example:
                _check(example[0], item, f"{path}[{index}]", nullable, errors)
    elif not _type_ok(example, value):
        errors.append(f"{path}: expected {type(example).__name__}, got {value!r}")


def assert_snapshot_matches_contract(snapshot: dict[str, Any]) -> None:
    """Every key of the contract's example, with the example's type (recursively)."""
    nullable = set(NULLABLE)
    if snapshot.get("status") != "published":
        nullable |= NULL_UNLESS_PUBLISHED
    errors: list[str] = []
    _check(EXAMPLE, snapshot, "", nullable, errors)
    assert not errors, "snapshot breaks docs/contracts/property-events.md:\n" + "\n".join(errors)


def assert_envelope_is_property_event(row) -> None:
    assert row.topic == "property-events"
    assert row.aggregate_type == "property"
    assert row.event_type in {
        "property.created",
        "property.updated",
        "property.published",
        "property.unpublished",
        "property.deleted",
    }
    assert row.aggregate_id == row.payload["id"]
    assert_snapshot_matches_contract(row.payload)
