"""Notifications end to end, every part a real process: a booking confirmed through the
gateway reaches the tenant's and the landlord's inboxes, every open tab of both over
`/ws/notifications/` (real WebSocket clients through the gateway, the token in the
subprotocol), and two emails arrive at the real SMTP server (scripts/infra/smtp.sh);
the one-click unsubscribe link works with a POST and no login, its token masked in the
gateway's log; a password reset goes request → email → link → new password, the old
session's sockets are closed and the token works once."""

from __future__ import annotations

import email
import email.policy
import json
import os
import queue
import re
import threading
import time
import uuid
from pathlib import Path

from test_booking_flow import LIMIT, book, bookable, pay, publish_listing, wait_until
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from rentezy_common.testing.processes import repo_root
from rentezy_common.testing.users import client_ip

MAILDIR = Path(os.environ.get("RENTEZY_STATE", repo_root() / ".rentezy")) / "state/smtp/maildir"
PASSWORD = "e2e-Password-long-1"


def mails_to(address: str) -> list:
    """The mails to `address`; only those whose head names it are parsed (the Maildir
    keeps every mail of every run)."""
    found = []
    for folder in ("new", "cur"):
        directory = MAILDIR / folder
        for path in directory.iterdir() if directory.exists() else ():
            try:
                with path.open("rb") as handle:
                    head = handle.read(4096)
                    if address.encode() not in head:
                        continue
                    raw = head + handle.read()
            except FileNotFoundError:
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if address in str(message.get("To", "")):
                found.append(message)
    return found


class Tab:
    """One browser tab's notifications socket, read on a thread of its own."""

    def __init__(self, gateway_url: str, token: str, name: str) -> None:
        self.name = name
        url = gateway_url.replace("http://", "ws://") + "/ws/notifications/"
        self.ws = connect(  # closed by close()
            url, subprotocols=["rentezy.v1", "bearer." + token], open_timeout=10
        ).__enter__()
        self.frames: queue.Queue = queue.Queue()
        self.close_code = None
        self.closed = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self.expect("ready")

    def _read(self) -> None:
        try:
            for text in self.ws:
                self.frames.put(json.loads(text))
        except ConnectionClosed:
            pass
        finally:
            rcvd = getattr(self.ws.protocol, "close_rcvd", None)
            self.close_code = rcvd.code if rcvd is not None else None
            self.closed.set()

    def expect(self, frame_type: str, timeout: float = LIMIT, **fields) -> dict:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                frame = self.frames.get(timeout=left)
            except queue.Empty:
                break
            if frame.get("type") == frame_type and all(
                frame.get(k) == v or (frame.get("notification") or {}).get(k) == v
                for k, v in fields.items()
            ):
                return frame
        raise AssertionError(f"{self.name}: no {frame_type} {fields} within {timeout} s")

    def close(self) -> None:
        self.ws.close()


def socket_refused(gateway_url: str, token: str) -> bool:
    """True when a notifications socket with `token` is refused at the handshake (the
    gateway knows the session ended) or closed with 4401 before its `ready` frame (the
    gateway's cache still took the token; notification_service knows better)."""
    from websockets.exceptions import InvalidStatus

    url = gateway_url.replace("http://", "ws://") + "/ws/notifications/"
    try:
        ws = connect(url, subprotocols=["rentezy.v1", "bearer." + token], open_timeout=10)
    except InvalidStatus as refused:
        return refused.response.status_code in (401, 403)
    with ws:
        try:
            frame = json.loads(ws.recv(timeout=LIMIT))
        except ConnectionClosed as closed:
            return closed.rcvd is not None and closed.rcvd.code == 4401
        raise AssertionError(f"a socket of an ended session got {frame}")


def login(api, email_address: str, password: str = PASSWORD):
    return api.post("/api/auth/login", json={"email": email_address, "password": password},
                    headers={"X-Forwarded-For": client_ip()})  # fmt: skip


def token_of(headers: dict) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def test_a_confirmed_booking_reaches_both_inboxes_every_tab_and_two_mailboxes(api, user, platform):
    gateway = platform["gateway"].url
    landlord, landlord_user = user("landlord")
    tenant, tenant_user = user("tenant")
    tabs = {
        "tenant": [Tab(gateway, token_of(tenant), f"tenant{i}") for i in range(2)],
        "landlord": [Tab(gateway, token_of(landlord), f"landlord{i}") for i in range(2)],
    }
    try:
        _, room_id = publish_listing(api, landlord, "nq" + uuid.uuid4().hex[:6], units=2)
        bookable(api, room_id, tenant, units=2)
        booking = book(api, tenant, room_id)
        assert booking.status_code == 201, booking.text
        booking_id = booking.json()["id"]
        paid_at = time.monotonic()
        pay(api, tenant, booking_id)
        pushed = {}
        for who, kind in (("tenant", "booking.confirmed.tenant"),
                          ("landlord", "booking.confirmed.landlord")):  # fmt: skip
            for tab in tabs[who]:
                frame = tab.expect("notification", kind=kind)
                assert frame["notification"]["link"] == f"/bookings/{booking_id}"
                pushed[tab.name] = time.monotonic() - paid_at
        # the inbox rows, through the gateway
        for headers, kind in ((tenant, "booking.confirmed.tenant"),
                              (landlord, "booking.confirmed.landlord")):  # fmt: skip
            inbox = api.get("/api/notifications/", headers=headers)
            assert inbox.status_code == 200, inbox.text
            rows = [n for n in inbox.json()["results"] if n["kind"] == kind]
            assert len(rows) == 1 and rows[0]["data"]["booking_id"] == booking_id
        # one email each, at the real SMTP server
        tenant_mail, _ = wait_until(
            lambda: [m for m in mails_to(tenant_user["email"]) if "confirmed" in m["Subject"]],
            "the tenant's email",
        )
        landlord_mail, _ = wait_until(
            lambda: [m for m in mails_to(landlord_user["email"]) if "New booking" in m["Subject"]],
            "the landlord's email",
        )
        assert len(tenant_mail) == 1 and len(landlord_mail) == 1
        print("pushed to tabs after (s):", {k: round(v, 2) for k, v in pushed.items()},
              "email after", round(time.monotonic() - paid_at, 2))  # fmt: skip
        # someone else's notification is not theirs
        theirs = api.get("/api/notifications/", headers=landlord).json()["results"][0]["id"]
        assert api.post(f"/api/notifications/{theirs}/read/", headers=tenant).status_code == 404

        # one-click unsubscribe from the email's header: a POST, no login
        link = str(tenant_mail[0]["List-Unsubscribe"]).strip("<>")
        assert link.startswith(gateway + "/api/notifications/unsubscribe/")
        path = link.removeprefix(gateway)
        secret = path.rsplit("/", 1)[1]
        done = api.post(path, content="List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert done.status_code == 200, done.text
        prefs = api.get("/api/notifications/preferences/", headers=tenant).json()["preferences"]
        assert prefs["bookings"]["email"] is False
        forged = api.post(path[:-4] + "AAAA")
        assert forged.status_code == 400
        gateway_log = platform["gateway"].log_path.read_text(errors="replace")
        assert "/api/notifications/unsubscribe/[redacted]" in gateway_log
        assert secret not in gateway_log
    finally:
        for tab in tabs["tenant"] + tabs["landlord"]:
            tab.close()


def test_password_reset_end_to_end(api, user, platform):
    gateway = platform["gateway"].url
    tenant, tenant_user = user("tenant")
    address = tenant_user["email"]
    tabs = [Tab(gateway, token_of(tenant), f"tab{i}") for i in range(2)]
    unknown = api.post("/api/auth/password/reset", json={"email": f"no-{uuid.uuid4().hex}@x.io"},
                       headers={"X-Forwarded-For": client_ip()})  # fmt: skip
    asked = api.post("/api/auth/password/reset", json={"email": address},
                     headers={"X-Forwarded-For": client_ip()})  # fmt: skip
    assert asked.status_code == unknown.status_code == 202 and asked.json() == unknown.json()
    (mail,), _ = wait_until(
        lambda: [m for m in mails_to(address) if "Reset" in m["Subject"]], "the reset email"
    )
    assert "List-Unsubscribe" not in mail  # security mail: cannot be turned off
    text = mail.get_body(("plain",)).get_content()
    link = re.search(r"(http\S+/account/reset-password)#token=(\S+)", text)
    assert link and link.group(1).startswith(gateway)
    token = link.group(2)
    new_password = "a-Brand-new-passphrase-5"
    confirmed = api.post("/api/auth/password/reset/confirm",
                         json={"token": token, "password": new_password},
                         headers={"X-Forwarded-For": client_ip()})  # fmt: skip
    assert confirmed.status_code == 204, confirmed.text
    assert login(api, address, new_password).status_code == 200
    assert login(api, address).status_code == 401
    # the old session ends: its sockets closed (4401), its token refused within the
    # gateway's cache bound
    for tab in tabs:
        assert tab.closed.wait(LIMIT), f"{tab.name} still open"
        assert tab.close_code == 4401
    # a tab opened now with the old token, which the gateway may still hold as valid in
    # its introspection cache, never becomes a live socket
    assert socket_refused(gateway, token_of(tenant))
    wait_until(lambda: api.get("/api/auth/me", headers=tenant).status_code == 401,
               "the old token refused")  # fmt: skip
    again = api.post("/api/auth/password/reset/confirm",
                     json={"token": token, "password": "yet-Another-pass-77"},
                     headers={"X-Forwarded-For": client_ip()})  # fmt: skip
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_token"
    # and the new account's confirmation email was sent at registration
    assert [m for m in mails_to(address) if "Confirm your email" in m["Subject"]]


def test_a_sign_in_from_a_new_device_is_mailed(api, user):
    _, account = user("tenant")  # signed in once already, by a script
    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
    signed_in = api.post("/api/auth/login", json={"email": account["email"], "password": PASSWORD},
                         headers={"X-Forwarded-For": client_ip(), "User-Agent": firefox})  # fmt: skip
    assert signed_in.status_code == 200, signed_in.text
    (mail,), _ = wait_until(
        lambda: [m for m in mails_to(account["email"]) if "New sign-in" in m["Subject"]],
        "the new-device email",
    )
    assert "Firefox on Windows" in mail["Subject"]
    assert "List-Unsubscribe" not in mail  # security mail: cannot be turned off
    assert login(api, account["email"]).status_code == 200  # the script again: known
    time.sleep(2)
    assert len([m for m in mails_to(account["email"]) if "New sign-in" in m["Subject"]]) == 1
