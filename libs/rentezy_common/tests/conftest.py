import pytest

from tests.testapp import handlers


@pytest.fixture(autouse=True)
def _no_poison():
    def reset():
        handlers.POISON_AGGREGATES.clear()
        handlers.REJECT_AGGREGATES.clear()
        handlers.BATCH_SIZES.clear()
        handlers.UNAVAILABLE["times"] = 0

    reset()
    yield
    reset()
