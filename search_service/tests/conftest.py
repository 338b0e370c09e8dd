"""Fixtures of the search API tests: a throwaway alias seeded with contract-shaped
property events through the consumer's own document builder and writer."""

from __future__ import annotations

import pytest

from rentezy_common.search.testing import (  # noqa: F401 - fixtures
    index_envelopes,
    search_alias,
    search_alias_name,
    snapshot_envelope,
)
from rentezy_common.testing.clients import GatewayClient


@pytest.fixture
def seed(search_alias):  # noqa: F811 - the imported fixture
    """`seed(snapshot, ...)` indexes published (or other) snapshots at version 1 and
    makes them searchable; returns them."""

    def index(*snapshots, version: int = 1):
        index_envelopes(
            [snapshot_envelope(s, version=version) for s in snapshots], alias=search_alias
        )
        return snapshots

    return index


@pytest.fixture
def api():
    """GET the search API as an anonymous caller through the gateway; returns the
    response (with .json())."""
    client = GatewayClient()

    def get(path: str, **params):
        return client.get(path, params)

    return get
