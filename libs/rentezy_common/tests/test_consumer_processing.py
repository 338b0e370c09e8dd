"""The consumer's retry helper and processing path without Kafka or a database: fake
messages, a consumer without the ledger (so no transaction), dead letters recorded in
memory. What a reader of processing.py should be able to check in a second."""

from __future__ import annotations

import threading
import uuid

import pytest

from rentezy_common.events.consumer import (
    Backoff,
    ConsumerSpec,
    DeadLetterLimitExceeded,
    DependencyUnavailable,
    GaveUp,
    Processor,
    RejectedEvent,
    Stopped,
    retry,
)
from tests.events_helpers import envelope

NO_WAIT = Backoff(0, 0)


# -- retry ---------------------------------------------------------------------------------
def failing(*errors):
    """A call that raises `errors` in turn, then returns "done"; counts its calls."""
    left = list(errors)
    calls = []

    def call():
        calls.append(1)
        if left:
            raise left.pop(0)
        return "done"

    return call, calls


def test_backoff_doubles_up_to_its_maximum():
    delays = Backoff(0.5, 3).delays()
    assert [next(delays) for _ in range(5)] == [0.5, 1, 2, 3, 3]


def test_retry_returns_once_the_call_succeeds():
    call, calls = failing(ValueError(), ValueError())
    assert retry(call, backoff=NO_WAIT, stop=threading.Event(), attempts=3) == "done"
    assert len(calls) == 3


def test_retry_gives_up_when_attempts_run_out():
    call, _ = failing(*[ValueError(str(i)) for i in range(5)])
    with pytest.raises(GaveUp) as gave_up:
        retry(call, backoff=NO_WAIT, stop=threading.Event(), attempts=3)
    assert gave_up.value.attempts == 3
    assert str(gave_up.value.error) == "2"


def test_free_errors_spend_no_attempt_and_final_ones_end_at_once():
    call, calls = failing(ConnectionError(), ConnectionError(), ConnectionError(), KeyError())
    with pytest.raises(GaveUp) as gave_up:
        retry(
            call,
            backoff=NO_WAIT,
            stop=threading.Event(),
            attempts=2,
            free=lambda exc: isinstance(exc, ConnectionError),
            final=lambda exc: isinstance(exc, KeyError),
        )
    assert len(calls) == 4
    assert isinstance(gave_up.value.error, KeyError)
    assert gave_up.value.attempts == 1


def test_retry_stops_when_the_stop_event_is_set():
    stop = threading.Event()
    seen = []

    def on_retry(error, spent, free):
        seen.append((type(error), spent, free))
        stop.set()

    call, _ = failing(ValueError(), ValueError())
    with pytest.raises(Stopped):
        retry(call, backoff=NO_WAIT, stop=stop, on_retry=on_retry)
    assert seen == [(ValueError, 1, False)]


# -- processing ----------------------------------------------------------------------------
class FakeMessage:
    def __init__(self, offset: int, value: bytes) -> None:
        self._offset, self._value = offset, value

    def value(self):
        return self._value

    def key(self):
        return None

    def headers(self):
        return None

    def topic(self):
        return "things"

    def partition(self):
        return 0

    def offset(self):
        return self._offset


class Recorder:
    """Dead letters and stored offsets, in the order they happened."""

    def __init__(self) -> None:
        self.log: list[tuple] = []

    def write(self, message, error, *, attempts):
        self.log.append(("dead", message.offset(), type(error).__name__, attempts))

    def store(self, messages):
        self.log.append(("stored", [m.offset() for m in messages]))


def processor(recorder, *, stop=None, **spec):
    spec = ConsumerSpec(
        name=f"test-{uuid.uuid4().hex[:8]}",
        topics=["things"],
        ledger=False,  # no database: the path under test is the same with the ledger
        backoff_initial=0,
        backoff_max=0,
        **spec,
    )
    return Processor(
        spec,
        stop=stop or threading.Event(),
        stats={"handled": 0, "duplicates": 0, "retries": 0, "dead_lettered": 0},
        dead_letters=recorder,
        store_offsets=recorder.store,
    )


def messages(*items):
    return [
        FakeMessage(offset, item if isinstance(item, bytes) else envelope(item).to_json())
        for offset, item in enumerate(items)
    ]


def test_a_failing_event_is_isolated_and_the_rest_goes_on_as_a_batch():
    calls = []

    def handler(event):
        calls.append(event.aggregate_id)
        if event.aggregate_id == "bad":
            raise RuntimeError("cannot")

    recorder = Recorder()
    runner = processor(recorder, handler=handler, max_attempts=2)
    runner.process(messages("a", "b", "bad", "c", "d"))

    # The batch up to the failure, again on its own; the bad event alone, twice; the rest.
    assert calls == ["a", "b", "bad", "a", "b", "bad", "bad", "c", "d"]
    assert recorder.log == [
        ("stored", [0, 1]),
        ("dead", 2, "RuntimeError", 2),
        ("stored", [2]),
        ("stored", [3, 4]),
    ]
    assert runner.stats == {"handled": 4, "duplicates": 0, "retries": 1, "dead_lettered": 1}


def test_a_failing_batch_handler_is_retried_one_event_at_a_time():
    sizes = []

    def batch(events):
        sizes.append(len(events))
        if any(event.aggregate_id == "bad" for event in events):
            raise RuntimeError("cannot")

    recorder = Recorder()
    runner = processor(recorder, batch_handler=batch, max_attempts=1)
    runner.process(messages("a", "bad", "c"))

    assert sizes == [3, 1, 1, 1]
    assert recorder.log == [
        ("stored", [0]),
        ("dead", 1, "RuntimeError", 1),
        ("stored", [1]),
        ("stored", [2]),
    ]


def test_rejections_and_undecodable_messages_are_dead_lettered_in_offset_order():
    def batch(events):
        return {e.id: ValueError("malformed") for e in events if e.aggregate_id == "bad"}

    recorder = Recorder()
    runner = processor(recorder, batch_handler=batch)
    runner.process(messages("a", "bad", b"\xff not json", "c"))

    assert recorder.log == [
        ("dead", 1, "ValueError", 1),
        ("stored", [0, 1]),
        ("dead", 2, "InvalidEnvelope", 1),
        ("stored", [2]),
        ("stored", [3]),
    ]
    assert runner.stats["handled"] == 2
    assert runner.stats["retries"] == 0


def test_a_rejected_event_is_dead_lettered_with_its_reason_without_retries():
    def handler(event):
        if event.aggregate_id == "bad":
            raise RejectedEvent("payload invalid") from KeyError("title")

    recorder = Recorder()
    runner = processor(recorder, handler=handler, max_attempts=5)
    runner.process(messages("bad", "a"))
    assert recorder.log == [("dead", 0, "KeyError", 1), ("stored", [0]), ("stored", [1])]
    assert runner.stats["retries"] == 0


def test_an_unavailable_dependency_is_waited_out_for_the_whole_batch():
    outage = {"left": 3}

    def batch(events):
        if outage["left"]:
            outage["left"] -= 1
            raise DependencyUnavailable("index down")

    recorder = Recorder()
    runner = processor(recorder, batch_handler=batch, max_attempts=1)
    runner.process(messages("a", "b"))
    assert recorder.log == [("stored", [0, 1])]
    assert runner.stats["retries"] == 3


def test_stopping_mid_retry_leaves_the_rest_unsettled():
    stop = threading.Event()

    def handler(event):
        if event.aggregate_id == "bad":
            stop.set()  # SIGTERM while this event is being retried
            raise RuntimeError("cannot")

    recorder = Recorder()
    processor(recorder, stop=stop, handler=handler, max_attempts=5).process(
        messages("a", "bad", "c")
    )
    assert recorder.log == [("stored", [0])]


def test_too_many_dead_letters_in_a_row_stop_the_consumer():
    def handler(event):
        raise RuntimeError("broken deploy")

    recorder = Recorder()
    runner = processor(recorder, handler=handler, max_attempts=1, max_consecutive_dead_letters=2)
    with pytest.raises(DeadLetterLimitExceeded):
        runner.process(messages("a", "b", "c"))
    assert [entry[0] for entry in recorder.log] == ["dead", "stored", "dead", "stored"]
