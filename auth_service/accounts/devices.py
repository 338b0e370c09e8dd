"""What a sign-in came from, as a person would name it: the browser family and the
operating system read from the User-Agent ("Firefox on Windows"), never the version, so a
browser update is not a new device. A new-device alert is a hint for the account's owner,
not a control: a User-Agent is whatever the client says.

The rules are the common families' tokens, checked in the order the families embed one
another's (Edge and Opera say "Chrome", Chrome says "Safari")."""

from __future__ import annotations

import hashlib
import re

_BROWSERS = (
    (re.compile(r"\bEdg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"\b(OPR|Opera)/"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\b(Firefox|FxiOS)/"), "Firefox"),
    (re.compile(r"\b(Chrome|CriOS|Chromium)/"), "Chrome"),
    (re.compile(r"\bSafari/"), "Safari"),
    (re.compile(r"^curl/"), "curl"),
    (re.compile(r"^python-requests/|^python-httpx/|^aiohttp/|^Python-urllib/"), "a Python script"),
    (re.compile(r"^okhttp/"), "an Android app"),
)
_SYSTEMS = (
    (re.compile(r"\b(iPhone|iPad|iPod)\b"), "iOS"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMac OS X\b|\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b|\bX11\b"), "Linux"),
)


def device_label(user_agent: str) -> str:
    """ "Chrome on Linux", "Safari on iOS", "curl", "an unknown device"."""
    user_agent = (user_agent or "").strip()[:512]
    browser = next((name for rule, name in _BROWSERS if rule.search(user_agent)), "")
    system = next((name for rule, name in _SYSTEMS if rule.search(user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"a browser on {system}" if system else "an unknown device")


def device_fingerprint(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()
