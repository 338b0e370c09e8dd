"""The web app (frontend/, built by Vite into frontend/dist) served at `/`.

- `/assets/*` are content-hashed by Vite: `Cache-Control: public, max-age=31536000,
  immutable` (a name never gets other bytes).
- `index.html` is `no-cache` (revalidated every time, so a deploy is seen at once), with an
  `ETag` for 304s.
- Any other path without a file extension is a client-side route (React Router): the
  answer is index.html. A missing file with an extension is a 404 (never HTML where a
  script or an image was asked for).
- A pre-compressed sibling (`.br`, `.gz`, written by the build) is sent when the client
  accepts that encoding (`Vary: Accept-Encoding`).
- `/api/`, `/ws/`, `/healthz`, `/readyz` and `/metrics` never come here (`wants()`).

Files are read into memory once per (path, mtime): the whole build is a few hundred KB.
The directory is `GATEWAY_WEBAPP_DIR` (default `<repo>/frontend/dist`); when it holds no
index.html the app is answered with a 503 page saying how to build it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

IMMUTABLE = b"public, max-age=31536000, immutable"
NO_CACHE = b"no-cache"
SHORT = b"public, max-age=3600"
# Never the web app's: the API, sockets, probes, and the paths of services' internals and
# admins (not routed at the edge: a JSON 404 from Django, not the app's shell).
NOT_HERE = ("/api/", "/ws/", "/healthz", "/readyz", "/metrics", "/internal/", "/admin/")
ENCODINGS = ((b"br", ".br"), (b"gzip", ".gz"))
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
# The app talks only to its own origin; map tiles may come from any https tile server
# (the tile URL is the app's build-time setting), photos from the API or a CDN.
CSP = (
    "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
NOT_BUILT = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>RentEzy</title>"
    b"<h1>The web app is not built</h1><p>Run <code>scripts/frontend.sh build</code> "
    b"(<code>make up</code> does it).</p></html>"
)


@dataclass(frozen=True)
class _File:
    body: bytes
    etag: bytes
    mtime: float


def _content_type(name: str) -> bytes:
    suffix = os.path.splitext(name)[1].lower()
    found = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return found.encode()


def _accepts(headers, encoding: bytes) -> bool:
    """Whether Accept-Encoding names `encoding` with a non-zero q."""
    value = _header(headers, b"accept-encoding") or b""
    for part in value.lower().split(b","):
        name, _, params = part.strip().partition(b";")
        if name.strip() != encoding:
            continue
        q = params.strip().removeprefix(b"q=")
        try:
            return not params.strip() or float(q) > 0
        except ValueError:
            return False
    return False


def _header(headers, name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


class WebApp:
    def __init__(self, directory: str | Path, csp: str = CSP) -> None:
        self.root = Path(directory).resolve()
        self.csp = csp.encode()
        self._cache: dict[Path, _File] = {}

    @staticmethod
    def wants(path: str) -> bool:
        return not path.startswith(NOT_HERE) and path != "/ws"

    def _load(self, path: Path) -> _File | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        if not path.is_file():
            return None
        cached = self._cache.get(path)
        if cached is not None and cached.mtime == stat.st_mtime:
            return cached
        try:
            body = path.read_bytes()
        except OSError:
            return None
        etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
        loaded = _File(body, etag, stat.st_mtime)
        if len(self._cache) > 512:
            self._cache.clear()
        self._cache[path] = loaded
        return loaded

    def _resolve(self, url_path: str) -> Path | None:
        """The file under the root for a URL path, or None (outside the root, dotfiles)."""
        parts = [p for p in url_path.split("/") if p]
        if any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
            return None
        candidate = (self.root / "/".join(parts)).resolve() if parts else self.root
        if candidate != self.root and self.root not in candidate.parents:
            return None
        return candidate

    async def __call__(self, scope, receive, send) -> None:
        method = scope["method"]
        path = scope["path"]
        headers = scope["headers"]
        if method not in ("GET", "HEAD"):
            return await self._send(
                send, 405, b"Method not allowed.\n", b"text/plain; charset=utf-8",
                [(b"allow", b"GET, HEAD")], method,
            )  # fmt: skip
        index = self.root / "index.html"
        target = self._resolve(path)
        if target is None:  # outside the root, or a dotfile
            return await self._send(
                send, 404, b"Not found.\n", b"text/plain; charset=utf-8", [], method
            )
        if target != self.root and target.suffix:
            found = self._load(target)
            if found is None:
                return await self._send(
                    send, 404, b"Not found.\n", b"text/plain; charset=utf-8", [], method
                )
            cache = IMMUTABLE if path.startswith("/assets/") else SHORT
            name = target.name
        else:  # "/" or a client-side route
            target, cache, name = index, NO_CACHE, "index.html"
            found = self._load(index)
            if found is None:
                return await self._send(
                    send, 503, NOT_BUILT, b"text/html; charset=utf-8",
                    [(b"cache-control", b"no-store"), (b"retry-after", b"10")], method,
                )  # fmt: skip
        extra = [(b"cache-control", cache), (b"etag", found.etag), (b"vary", b"Accept-Encoding")]
        extra.append((b"x-content-type-options", b"nosniff"))
        if name.endswith(".html"):
            extra += [
                (b"content-security-policy", self.csp),
                (b"referrer-policy", b"strict-origin-when-cross-origin"),
                (b"x-frame-options", b"DENY"),
            ]
        if _header(headers, b"if-none-match") == found.etag:
            return await self._send(send, 304, b"", None, extra, method)
        body = found.body
        for encoding, suffix in ENCODINGS:
            if _accepts(headers, encoding):
                packed = self._load(target.with_name(target.name + suffix))
                if packed is not None and packed.mtime >= found.mtime:
                    body = packed.body
                    extra.append((b"content-encoding", encoding))
                    break
        return await self._send(send, 200, body, _content_type(name), extra, method)

    @staticmethod
    async def _send(send, status, body, content_type, headers, method) -> None:
        out = [] if status == 304 else [(b"content-length", str(len(body)).encode())]
        if content_type is not None:
            out.append((b"content-type", content_type))
        out.extend(headers)
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
