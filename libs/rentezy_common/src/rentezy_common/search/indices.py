"""Concrete indices behind the alias: names, creation, bootstrap, atomic swap, cleanup.

Reads and live writes go through the alias; a reindex builds a new concrete index and
moves the alias in one `_aliases` request (remove + add), so searches never see a
missing or half-built index.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from . import alias_name
from .client import get_client
from .schema import MAPPINGS, index_body, live_settings

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

BOOTSTRAP_SUFFIX = "initial"


class AliasSwapConflict(RuntimeError):
    """The alias no longer points where the swap expected: another reindex won."""


def replicas() -> int:
    """Replicas of a live index (settings.SEARCH_INDEX_REPLICAS; 0 on one node)."""
    return int(getattr(settings, "SEARCH_INDEX_REPLICAS", 0))


def bootstrap_index_name(alias: str) -> str:
    return f"{alias}-{BOOTSTRAP_SUFFIX}"


def new_index_name(alias: str) -> str:
    """A fresh concrete index name: `<alias>-<UTC timestamp>-<random>`."""
    return f"{alias}-{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def _is_ours(alias: str, index: str) -> bool:
    return (
        re.fullmatch(rf"{re.escape(alias)}-({BOOTSTRAP_SUFFIX}|\d{{14}}-[0-9a-f]{{6}})", index)
        is not None
    )


def create_index(name: str, *, building: bool = False, client: Elasticsearch | None = None):
    """Create a concrete index with the mapping (see schema.index_body)."""
    client = client or get_client()
    client.indices.create(index=name, **index_body(replicas=replicas(), building=building))


def alias_targets(alias: str | None = None, *, client: Elasticsearch | None = None) -> list[str]:
    """The indices the alias points at ([] if it does not exist)."""
    from elasticsearch import NotFoundError

    client = client or get_client()
    try:
        return sorted(client.indices.get_alias(name=alias or alias_name()).body)
    except NotFoundError:
        return []


def ensure_alias(alias: str | None = None, *, client: Elasticsearch | None = None) -> str:
    """Make sure the alias exists: if it does not, create `<alias>-initial` with the
    mapping and point the alias at it. Returns the index behind the alias.

    Idempotent and safe when several consumers start at once: the bootstrap index has
    a fixed name, so only one creation succeeds (the others see it exists), and adding
    the same alias to the same index again changes nothing.

    An existing index created before a field was added to the mapping gets the missing
    fields (`add_missing_fields`): the mapping is `dynamic: strict`, so documents with
    the new field would otherwise be refused."""
    from elasticsearch import BadRequestError

    client = client or get_client()
    alias = alias or alias_name()
    targets = alias_targets(alias, client=client)
    if targets:
        add_missing_fields(alias, client=client)
        return targets[0]
    name = bootstrap_index_name(alias)
    try:
        create_index(name, client=client)
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
    targets = alias_targets(alias, client=client)  # a reindex may have set it meanwhile
    if targets:
        add_missing_fields(alias, client=client)
        return targets[0]
    client.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias}}])
    add_missing_fields(alias, client=client)  # an `-initial` index left by an older version
    return name


def missing_fields(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, Any]:
    """The fields of `expected` (a mapping's `properties`) that `actual` lacks, as a
    `put_mapping` body's `properties` (objects and nested fields repeat their type)."""
    missing: dict[str, Any] = {}
    for name, spec in expected.items():
        have = actual.get(name)
        if have is None:
            missing[name] = spec
        elif "properties" in spec:
            inner = missing_fields(spec["properties"], have.get("properties", {}))
            if inner:
                missing[name] = {
                    **({"type": spec["type"]} if "type" in spec else {}),
                    "properties": inner,
                }
    return missing


def add_missing_fields(
    alias: str | None = None, *, client: Elasticsearch | None = None
) -> dict[str, dict[str, Any]]:
    """Add the fields of `schema.MAPPINGS` that the indices behind the alias lack
    (adding fields is allowed on a live index; changing one is not). Returns what was
    added, by index."""
    client = client or get_client()
    alias = alias or alias_name()
    added: dict[str, dict[str, Any]] = {}
    for index, body in client.indices.get_mapping(index=alias).body.items():
        missing = missing_fields(
            MAPPINGS["properties"], body.get("mappings", {}).get("properties", {})
        )
        if missing:
            client.indices.put_mapping(index=index, properties=missing)
            added[index] = missing
            logger.warning(
                "search index mapping extended",
                extra={"index": index, "fields": sorted(missing)},
            )
    return added


def make_live(name: str, *, client: Elasticsearch | None = None) -> None:
    """Give a freshly built index its live settings and make everything searchable."""
    client = client or get_client()
    client.indices.put_settings(index=name, settings=live_settings(replicas=replicas()))
    client.indices.refresh(index=name)
    client.cluster.health(index=name, wait_for_status="yellow", timeout="30s")


def swap_alias(
    new_index: str,
    *,
    expected: list[str],
    alias: str | None = None,
    client: Elasticsearch | None = None,
) -> None:
    """Point the alias at `new_index` instead of `expected`, atomically: one
    `_aliases` request that removes it from every expected index (each must still
    carry it) and adds it to the new one. Searches see the old index or the new one,
    never neither or both. Raises AliasSwapConflict if the alias moved meanwhile."""
    from elasticsearch import NotFoundError

    client = client or get_client()
    alias = alias or alias_name()
    actions = [
        {"remove": {"index": index, "alias": alias, "must_exist": True}} for index in expected
    ]
    actions.append({"add": {"index": new_index, "alias": alias}})
    try:
        client.indices.update_aliases(actions=actions)
    except NotFoundError as exc:
        raise AliasSwapConflict(
            f"alias {alias!r} no longer points at {expected}; not swapped"
        ) from exc


def old_indices(alias: str | None = None, *, client: Elasticsearch | None = None) -> list[str]:
    """Our concrete indices the alias does not point at, newest first."""
    from elasticsearch import NotFoundError

    client = client or get_client()
    alias = alias or alias_name()
    try:
        found = client.indices.get_settings(
            index=f"{alias}-*", name="index.creation_date", expand_wildcards="open,closed"
        ).body
    except NotFoundError:
        return []
    live = set(alias_targets(alias, client=client))
    candidates = [
        (int(info["settings"]["index"]["creation_date"]), index)
        for index, info in found.items()
        if _is_ours(alias, index) and index not in live
    ]
    return [index for _, index in sorted(candidates, reverse=True)]


def delete_old_indices(
    *, keep: int = 0, alias: str | None = None, client: Elasticsearch | None = None
) -> list[str]:
    """Delete the alias's former indices except the `keep` newest; returns the deleted."""
    client = client or get_client()
    doomed = old_indices(alias, client=client)[keep:]
    if doomed:
        client.indices.delete(index=",".join(doomed))
    return doomed
