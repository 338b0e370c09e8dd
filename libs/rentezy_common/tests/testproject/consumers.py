import os

from rentezy_common.events.consumer import ConsumerSpec

# Most tests build specs of their own with throwaway topics; the SIGTERM test runs this
# registered consumer through `manage.py run_consumer` on a topic it names.
CONSUMERS = [
    ConsumerSpec(
        name="counter",
        topics=[os.environ.get("TEST_CONSUMER_TOPIC", "counter-events")],
        handler="tests.testapp.handlers.count",
    ),
]
