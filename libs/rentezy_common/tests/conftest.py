import pytest

from tests.testapp import handlers


@pytest.fixture(autouse=True)
def _no_poison():
    handlers.POISON_AGGREGATES.clear()
    yield
    handlers.POISON_AGGREGATES.clear()
