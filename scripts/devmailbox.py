#!/usr/bin/env python3
"""The dev mailbox: a small web page over what the local SMTP server stored.

`make up` runs it (scripts/dev.py, under supervisord) on http://127.0.0.1:$MAILBOX_PORT
(default 8025), over the Maildir that scripts/infra/smtp.sh's aiosmtpd writes
($RENTEZY_STATE/state/smtp/maildir). Every email the platform sent on this machine is
there: the list, newest first; one email with its headers, its HTML part (in a
sandboxed frame: no scripts, no requests of its own) and its text part; the raw
message; `/api/messages` as JSON for scripts.

Mailpit's Go module ships without its built web page, so this is our own (stdlib only,
loopback only, read-only). It is a developer's tool and never part of a deployment.

    python scripts/devmailbox.py [--port 8025] [--maildir PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import html
import json
import mailbox
import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
PAGE_SIZE = 200
SHOWN_HEADERS = (
    "from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post",
)  # fmt: skip

STYLE = (
    "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;"
    "color:#1f2933;background:#f4f5f7}"
    "header{background:#0b7285;color:#fff;padding:12px 20px}"
    "header a{color:#fff;text-decoration:none;font-weight:700}"
    "main{padding:16px 20px;max-width:1100px}"
    "table{border-collapse:collapse;width:100%;background:#fff}"
    "td,th{padding:8px 10px;border-bottom:1px solid #e4e7eb;text-align:left;font-size:14px;"
    "vertical-align:top}"
    "tr:hover td{background:#f0f9fb}"
    "a{color:#0b7285}"
    ".muted{color:#7b8794;font-size:13px}"
    "iframe{width:100%;height:520px;border:1px solid #e4e7eb;background:#fff}"
    "pre{white-space:pre-wrap;background:#fff;padding:12px;border:1px solid #e4e7eb}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}"
    "dt{font-weight:600}"
    "dd{margin:0;word-break:break-all}"
    "form{margin:0 0 12px}"
    "input{padding:6px;width:320px}"
)


def maildir_path() -> Path:
    state = Path(os.environ.get("RENTEZY_STATE", REPO / ".rentezy"))
    return state / "state" / "smtp" / "maildir"


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _box(self) -> mailbox.Maildir | None:
        if not self.path.exists():
            return None
        return mailbox.Maildir(self.path, factory=None, create=False)

    def messages(self) -> list[tuple[str, datetime, email.message.EmailMessage]]:
        box = self._box()
        if box is None:
            return []
        found = []
        for key in box.iterkeys():
            try:
                raw = box.get_bytes(key)
            except (KeyError, OSError):
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            try:
                when = parsedate_to_datetime(message["Date"]) if message["Date"] else None
            except (TypeError, ValueError):
                when = None
            if when is None:
                when = datetime.fromtimestamp(box.get_message(key).get_date(), UTC)
            found.append((key, when, message))
        found.sort(key=lambda item: item[1], reverse=True)
        return found

    def raw(self, key: str) -> bytes | None:
        box = self._box()
        if box is None or "/" in key:
            return None
        try:
            return box.get_bytes(key)
        except (KeyError, OSError):
            return None


def _text(message, subtype: str) -> str:
    part = message.get_body((subtype,))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, ValueError):
        return ""


def summary(key: str, when: datetime, message) -> dict:
    return {
        "id": key,
        "date": when.isoformat(),
        "from": str(message.get("From", "")),
        "to": str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
        "list_unsubscribe": str(message.get("List-Unsubscribe", "")) or None,
    }


class Handler(BaseHTTPRequestHandler):
    store: Store

    def log_message(self, fmt, *args):  # quiet: one line per request is noise here
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        # The emails are untrusted HTML: no scripts anywhere on the page.
        self.send_header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-src 'self'",
        )
        self.end_headers()
        self.wfile.write(body)

    def _page(self, title: str, content: str, status: int = 200) -> None:
        body = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}"
            f"</title><style>{STYLE}</style></head><body><header><a href='/'>RentEzy dev mailbox"
            f"</a> <span class='muted' style='color:#d0ebf0'>{html.escape(str(self.store.path))}"
            f"</span></header><main>{content}</main></body></html>"
        )
        self._send(status, body.encode(), "text/html; charset=utf-8")

    def do_GET(self):
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/") if p]
        if not parts:
            return self.index(parse_qs(url.query).get("q", [""])[0])
        if parts == ["api", "messages"]:
            items = [summary(*m) for m in self.store.messages()[:PAGE_SIZE]]
            return self._send(200, json.dumps(items).encode(), "application/json")
        if len(parts) == 2 and parts[0] in ("message", "raw", "html"):
            raw = self.store.raw(parts[1])
            if raw is None:
                return self._page("Not found", "<p>No such email.</p>", 404)
            if parts[0] == "raw":
                return self._send(200, raw, "text/plain; charset=utf-8")
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if parts[0] == "html":
                return self._send(200, _text(message, "html").encode(), "text/html; charset=utf-8")
            return self.show(parts[1], message)
        return self._page("Not found", "<p>Nothing here.</p>", 404)

    def index(self, query: str) -> None:
        rows = []
        messages = self.store.messages()
        if query:
            needle = query.lower()
            messages = [
                m for m in messages if needle in (str(m[2]["To"]) + str(m[2]["Subject"])).lower()
            ]
        for key, when, message in messages[:PAGE_SIZE]:
            rows.append(
                f"<tr><td class='muted'>{when:%Y-%m-%d %H:%M:%S}</td>"
                f"<td>{html.escape(str(message.get('To', '')))}</td>"
                f"<td><a href='/message/{quote(key)}'>"
                f"{html.escape(str(message.get('Subject', '(no subject)')))}</a></td></tr>"
            )
        content = (
            f"<form><input name='q' value='{html.escape(query, quote=True)}' "
            "placeholder='Search by recipient or subject'>"
            f" <span class='muted'>{len(messages)} email(s)</span></form>"
            "<table><tr><th>received</th><th>to</th><th>subject</th></tr>"
            + ("".join(rows) or "<tr><td colspan=3 class='muted'>No email yet.</td></tr>")
            + "</table>"
        )
        self._page("Dev mailbox", content)

    def show(self, key: str, message) -> None:
        headers = "".join(
            f"<dt>{html.escape(name)}</dt><dd>{html.escape(str(value))}</dd>"
            for name, value in message.items()
            if name.lower() in SHOWN_HEADERS
        )
        frame = (
            f"<iframe sandbox src='/html/{quote(key)}'></iframe>" if _text(message, "html") else ""
        )
        content = (
            f"<p><a href='/'>&larr; all emails</a> · <a href='/raw/{quote(key)}'>raw</a></p>"
            f"<dl>{headers}</dl><h3>HTML</h3>{frame or '<p class=muted>none</p>'}"
            f"<h3>Text</h3><pre>{html.escape(_text(message, 'plain'))}</pre>"
        )
        self._page(str(message.get("Subject", "email")), content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAILBOX_PORT", "8025")))
    parser.add_argument("--maildir", type=Path, default=maildir_path())
    args = parser.parse_args(argv)
    Handler.store = Store(args.maildir)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"dev mailbox on http://127.0.0.1:{args.port}/ over {args.maildir}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
