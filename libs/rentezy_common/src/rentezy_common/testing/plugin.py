"""pytest plugin (entry point `rentezy`), active in every service's tests.

Sets RENTEZY_ENV=test before Django settings load (test Redis databases, fast password
hashing) and provides fixtures:
- `gateway_client`: a client whose requests carry a valid gateway signature;
- `tenant`, `other_tenant`, `landlord`, `other_landlord`, `admin`, `anonymous`: such
  clients for a new user of each role (a service's conftest may define its own);
- `kafka_topic`: a factory of throwaway topics on the real broker, deleted afterwards.
"""

from __future__ import annotations

import os

import pytest

# Module import happens when pytest loads plugins, before pytest-django reads settings.
os.environ.setdefault("RENTEZY_ENV", "test")


@pytest.fixture
def gateway_client():
    from .clients import GatewayClient

    return GatewayClient()


@pytest.fixture
def tenant():
    from .clients import caller

    return caller("tenant")


@pytest.fixture
def other_tenant():
    from .clients import caller

    return caller("tenant")


@pytest.fixture
def landlord():
    from .clients import caller

    return caller("landlord")


@pytest.fixture
def other_landlord():
    from .clients import caller

    return caller("landlord")


@pytest.fixture
def admin():
    from .clients import caller

    return caller("admin")


@pytest.fixture
def anonymous():
    from .clients import caller

    return caller(None)


@pytest.fixture
def kafka_topic():
    from .kafka import TopicFactory

    factory = TopicFactory()
    yield factory
    factory.cleanup()
