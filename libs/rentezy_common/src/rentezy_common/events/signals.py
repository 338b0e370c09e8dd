"""Clean shutdown for long-running commands: SIGTERM/SIGINT set a stop event."""

import signal
import threading


def stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum, frame) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop
