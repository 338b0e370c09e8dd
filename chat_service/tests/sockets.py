"""Real WebSocket clients for the tests that go through the gateway: a `Tab` is one
browser tab's socket (token in the subprotocol, as browsers send it), reading frames
on a thread of its own so a test can send and wait at once."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def ws_url(gateway) -> str:
    return gateway.url.replace("http://", "ws://") + "/ws/chat/"


class Tab:
    def __init__(self, gateway, token: str, *, name: str = "tab", first_frame: bool = False):
        self.name = name
        if first_frame:
            self.ws = connect(ws_url(gateway), open_timeout=10, max_size=2**22).__enter__()
            self.ws.send(json.dumps({"type": "auth", "token": token}))
        else:
            self.ws = connect(
                ws_url(gateway),
                subprotocols=["rentezy.v1", "bearer." + token],
                open_timeout=10,
                max_size=2**22,
            ).__enter__()  # closed by close() / abort()
        self.frames: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        self.close_code: int | None = None
        self.closed = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.ready = self.expect("ready")

    def _read(self) -> None:
        try:
            for text in self.ws:
                frame = json.loads(text) if isinstance(text, str) else {"type": "<binary>"}
                self.frames.put(frame)
        except ConnectionClosed:
            pass
        finally:
            rcvd = getattr(self.ws.protocol, "close_rcvd", None)
            self.close_code = rcvd.code if rcvd is not None else None
            self.closed.set()

    def send(self, **frame) -> None:
        self.ws.send(json.dumps(frame))

    def send_message(self, conversation_id: str, body: str, client_id: str | None = None) -> str:
        client_id = client_id or str(uuid.uuid4())
        self.send(type="send", conversation_id=conversation_id, client_id=client_id, body=body)
        return client_id

    def next(self, timeout: float = 10.0) -> dict:
        frame = self.frames.get(timeout=timeout)
        self.seen.append(frame)
        return frame

    def expect(self, kind: str, timeout: float = 10.0, **fields) -> dict:
        """The next frame of this type (and these fields); others are kept in `seen`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"{self.name}: no {kind} {fields} in {timeout}s; seen {self.seen[-5:]}"
                )
            try:
                frame = self.next(timeout=left)
            except queue.Empty:
                continue
            if frame.get("type") == kind and all(frame.get(k) == v for k, v in fields.items()):
                return frame

    def drain(self, seconds: float = 0.5) -> list[dict]:
        """Whatever arrives within `seconds`."""
        got = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(self.next(timeout=left))
            except queue.Empty:
                break
        return got

    def messages(self, conversation_id: str) -> list[dict]:
        """The message frames (new, edited, deleted) and acks this tab got, in order."""
        return [
            f
            for f in self.seen
            if f.get("conversation_id") == conversation_id
            and (f["type"].startswith("message.") or f["type"] == "ack")
        ]

    def wait_closed(self, timeout: float = 10.0) -> int | None:
        assert self.closed.wait(timeout), f"{self.name}: still open after {timeout}s"
        return self.close_code

    def close(self) -> None:
        self.ws.close()
        self.closed.wait(5)

    def abort(self) -> None:
        """The connection dies (no close handshake): a phone losing its network."""
        self.ws.socket.close()
        self.closed.wait(5)
