#!/usr/bin/env python3
"""A command-line chat client: the `/ws/chat/` socket through the gateway, as a browser
tab uses it (docs/services/chat.md has the protocol).

    scripts/chat.py --token "$TOKEN" listen                  # print what arrives
    scripts/chat.py --token "$TOKEN" send <conversation> "Hello!"
    scripts/chat.py --token "$TOKEN" talk <conversation>     # type lines, see replies
    scripts/chat.py --token "$TOKEN" listen --resume <conversation>:<seq>

The token travels in the subprotocol (`bearer.<token>`), never in the URL. The gateway
is ws://127.0.0.1:$GATEWAY_PORT (8000) unless --url says otherwise. Needs the
`websockets` package (in the developers' environment: `.venv/bin/python scripts/chat.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import uuid

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def show(frame: dict, me: str) -> str | None:
    """One line for a frame a person would care about (None: nothing to show)."""
    kind = frame.get("type")
    if kind in ("message.new", "message.edited", "message.deleted"):
        message = frame["message"]
        who = "me" if message["sender_id"] == me else message["sender_id"]
        text = "(deleted)" if message["deleted"] else message["body"]
        if message.get("attachment"):
            text += f" [{message['attachment']['kind']}: {message['attachment']['name']}]"
        mark = {"message.edited": " (edited)", "message.deleted": ""}.get(kind, "")
        return f"#{message['seq']} {who}: {text}{mark}"
    if kind == "ack":
        dup = " (already sent)" if frame["duplicate"] else ""
        return f"#{frame['message']['seq']} me: {frame['message']['body']}  ✓ stored{dup}"
    if kind == "read":
        return f"   {frame['user_id']} has read up to #{frame['seq']}"
    if kind == "typing":
        return f"   {frame['user_id']} is typing…"
    if kind == "presence":
        state = "online" if frame["online"] else f"offline, last seen {frame['last_seen']}"
        return f"   {frame['user_id']} is {state}"
    if kind == "conversation.started":
        return f"   new conversation {frame['conversation_id']}"
    if kind == "resumed":
        return f"   caught up: {frame['conversations']}"
    if kind == "error":
        return f"   error {frame['code']}: {frame['message']} {frame.get('details') or ''}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    port = os.environ.get("GATEWAY_PORT", "8000")
    parser.add_argument("--url", default=f"ws://127.0.0.1:{port}/ws/chat/")
    parser.add_argument("--token", required=True, help="an access token (POST /api/auth/login)")
    parser.add_argument("--raw", action="store_true", help="print every frame as JSON")
    sub = parser.add_subparsers(dest="command", required=True)
    listen = sub.add_parser("listen", help="print what arrives until Ctrl-C")
    listen.add_argument("--resume", action="append", default=[], metavar="CONVERSATION:SEQ",
                        help="first get everything after SEQ in CONVERSATION")  # fmt: skip
    listen.add_argument("--seconds", type=float, help="stop after this many seconds")
    send = sub.add_parser("send", help="send one message and wait for its ack")
    send.add_argument("conversation")
    send.add_argument("body")
    send.add_argument("--client-id", help="resend with the same id: stored once")
    talk = sub.add_parser("talk", help="each line typed is a message; replies are shown")
    talk.add_argument("conversation")
    args = parser.parse_args()

    with connect(args.url, subprotocols=["rentezy.v1", "bearer." + args.token]) as ws:
        ready = json.loads(ws.recv(timeout=10))
        if ready.get("type") != "ready":
            print(f"unexpected first frame: {ready}", file=sys.stderr)
            return 1
        me = ready["user_id"]

        def out(frame: dict) -> None:
            line = json.dumps(frame, ensure_ascii=False) if args.raw else show(frame, me)
            if line:
                print(line, flush=True)

        if args.command == "send":
            client_id = args.client_id or str(uuid.uuid4())
            ws.send(json.dumps({"type": "send", "conversation_id": args.conversation,
                                "client_id": client_id, "body": args.body}))  # fmt: skip
            while True:
                frame = json.loads(ws.recv(timeout=10))
                if frame.get("type") in ("ack", "error") and frame.get("client_id") == client_id:
                    out(frame)
                    return 0 if frame["type"] == "ack" else 1

        print(f"signed in as user {me}; conversations (id: last seq): {ready['conversations']}",
              flush=True)  # fmt: skip
        if args.command == "listen" and args.resume:
            cursors = {}
            for item in args.resume:
                conversation, _, seq = item.partition(":")
                cursors[conversation] = int(seq or 0)
            ws.send(json.dumps({"type": "resume", "conversations": cursors}))
        if args.command == "talk":

            def typing_lines() -> None:
                for line in sys.stdin:
                    if line.strip():
                        ws.send(json.dumps({"type": "send", "conversation_id": args.conversation,
                                            "client_id": str(uuid.uuid4()),
                                            "body": line.rstrip("\n")}))  # fmt: skip
                ws.close()

            threading.Thread(target=typing_lines, daemon=True).start()
        try:
            while True:
                frame = json.loads(ws.recv(timeout=getattr(args, "seconds", None)))
                out(frame)
                if frame.get("type") == "message.new" and frame["message"]["sender_id"] != me:
                    # Seen: the other side gets a read receipt.
                    ws.send(json.dumps({"type": "read", "conversation_id": frame["conversation_id"],
                                        "seq": frame["message"]["seq"]}))  # fmt: skip
        except TimeoutError:
            return 0
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            if code not in (None, 1000):
                print(f"closed by the server: {code} {closed.rcvd.reason}", file=sys.stderr)
            return 0 if code in (None, 1000) else 1
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
