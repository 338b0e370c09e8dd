"""Gateway identity: the gateway signs what it forwards, every service verifies it.

The gateway authenticates the caller, strips any identity headers the client sent and
adds these, signed with HMAC-SHA256 under a secret shared by the gateway and services:

    X-Rentezy-User-Id    caller's user id ("" when anonymous)
    X-Rentezy-User-Role  tenant | landlord | admin ("" when anonymous)
    X-Rentezy-Session-Id the caller's session (the token's `sid`; "" when anonymous), so
                         a real-time service can close one session's sockets
    X-Request-ID         request id (also used for logs and event traces)
    X-Rentezy-Timestamp  unix seconds when signed
    X-Rentezy-Nonce      random, single use
    X-Rentezy-Signature  v1=<hex hmac>

The signed message covers method, path, query string, identity (user, role and, from
signature version v2, session), request id, timestamp and nonce. Services accept v1
(no session) and v2, so a gateway and its services can be upgraded in either order;
the gateway signs v2. A service refuses (401) a request that is unsigned, whose signature does not
match (tampered), whose timestamp is outside the replay window (stale), or whose nonce
it has already seen within that window (replayed: `NonceStore`, in Redis for twice the
window, with a per-process fallback while Redis is down). Health and metrics paths are
exempt, and so are paths under settings.GATEWAY_EXEMPT_PREFIXES (empty unless a service
sets it).

Key rotation: GATEWAY_SIGNING_SECRETS may list several secrets; the first signs, any
verifies.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from asgiref.sync import sync_to_async
from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from .degrade import ExpiringSet, SharedStoreGuard
from .errors import error_response
from .hybrid import HybridMiddleware
from .logs import clean_request_id, redact

logger = logging.getLogger(__name__)

HEADER_USER_ID = "X-Rentezy-User-Id"
HEADER_ROLE = "X-Rentezy-User-Role"
HEADER_SESSION = "X-Rentezy-Session-Id"
HEADER_REQUEST_ID = "X-Request-ID"
HEADER_TIMESTAMP = "X-Rentezy-Timestamp"
HEADER_NONCE = "X-Rentezy-Nonce"
HEADER_SIGNATURE = "X-Rentezy-Signature"

# Everything the gateway must strip from a client's request before adding its own.
IDENTITY_HEADERS = (
    HEADER_USER_ID,
    HEADER_ROLE,
    HEADER_SESSION,
    HEADER_TIMESTAMP,
    HEADER_NONCE,
    HEADER_SIGNATURE,
)

ROLES = ("tenant", "landlord", "admin")
SIGNATURE_VERSION = "v2"  # what the gateway signs
ACCEPTED_VERSIONS = ("v1", "v2")  # what services verify (v1: before session ids)


class SignatureError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Identity:
    """Who is calling, as vouched for by the gateway."""

    user_id: str | None
    role: str | None
    request_id: str
    session_id: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user_id)


def _canonical_path(path: str) -> str:
    # The gateway sends the raw (percent-encoded) path; Django hands views the decoded
    # one. Both sides sign the decoded form so equivalent encodings verify alike.
    return unquote(path)


def canonical_message(
    *,
    method: str,
    path: str,
    query: str,
    user_id: str,
    role: str,
    request_id: str,
    timestamp: str,
    nonce: str,
    session_id: str = "",
    version: str = SIGNATURE_VERSION,
) -> bytes:
    fields = [
        version,
        method.upper(),
        _canonical_path(path),
        query,
        user_id,
        role,
        request_id,
        timestamp,
        nonce,
    ]
    if version != "v1":
        fields.append(session_id)
    return "\n".join(fields).encode("utf-8")


def _mac(secret: str, message: bytes) -> str:
    return hmac.digest(secret.encode("utf-8"), message, "sha256").hex()  # one-shot, in C


def sign_request(
    *,
    secret: str,
    method: str,
    path: str,
    query: str = "",
    user_id: str | None = None,
    role: str | None = None,
    session_id: str | None = None,
    request_id: str,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Headers the gateway adds to a forwarded request (the helper lives here so the
    gateway and the services cannot disagree on the format)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    message = canonical_message(
        method=method,
        path=path,
        query=query,
        user_id=user_id or "",
        role=role or "",
        request_id=request_id,
        timestamp=ts,
        nonce=nonce,
        session_id=session_id or "",
    )
    return {
        HEADER_USER_ID: user_id or "",
        HEADER_ROLE: role or "",
        HEADER_SESSION: session_id or "",
        HEADER_REQUEST_ID: request_id,
        HEADER_TIMESTAMP: ts,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: f"{SIGNATURE_VERSION}={_mac(secret, message)}",
    }


def verify_signature(
    *,
    secrets_: Iterable[str],
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    max_age: int,
    now: float | None = None,
) -> Identity:
    """Check a signed request's headers; return the identity or raise SignatureError.

    Does not check the nonce for reuse (that needs shared storage): see
    `GatewayIdentityMiddleware`.
    """
    signature = headers.get(HEADER_SIGNATURE)
    timestamp = headers.get(HEADER_TIMESTAMP)
    nonce = headers.get(HEADER_NONCE)
    request_id = headers.get(HEADER_REQUEST_ID)
    if not (signature and timestamp and nonce and request_id):
        raise SignatureError("unsigned_request", "The request was not signed by the gateway.")
    try:
        signed_at = int(timestamp)
    except ValueError:
        raise SignatureError("invalid_signature", "The request signature is malformed.") from None
    now = time.time() if now is None else now
    if abs(now - signed_at) > max_age:
        raise SignatureError("stale_request", "The request signature has expired.")
    user_id = headers.get(HEADER_USER_ID, "")
    role = headers.get(HEADER_ROLE, "")
    version, _, mac = signature.partition("=")
    session_id = headers.get(HEADER_SESSION, "") if version != "v1" else ""
    message = canonical_message(
        method=method,
        path=path,
        query=query,
        user_id=user_id,
        role=role,
        request_id=request_id,
        timestamp=timestamp,
        nonce=nonce,
        session_id=session_id,
        version=version,
    )
    if version not in ACCEPTED_VERSIONS or not any(
        hmac.compare_digest(mac, _mac(secret, message)) for secret in secrets_
    ):
        raise SignatureError("invalid_signature", "The request signature does not match.")
    if role and role not in ROLES:
        raise SignatureError("invalid_signature", "The signed role is unknown.")
    if bool(user_id) != bool(role):
        raise SignatureError("invalid_signature", "The signed identity is incomplete.")
    return Identity(
        user_id=user_id or None,
        role=role or None,
        request_id=request_id,
        session_id=session_id or None,
    )


class NonceStore:
    """Single use of each signature's nonce, within the signature window.

    Normally a nonce is claimed in Redis (SET NX, kept for twice the window), which every
    process and replica of a service shares: a captured request cannot be replayed to any
    of them. Every claim is also remembered in this process.

    While Redis cannot be reached the service keeps serving (a Redis outage must not be a
    total outage): nonces are checked against this process's memory only, and the
    window shrinks to GATEWAY_SIGNATURE_DEGRADED_MAX_AGE (5 s). The trade-off: for those
    seconds, a request captured inside the cluster could be replayed once to each *other*
    process of the service. Services are reachable only from the gateway
    (NetworkPolicy), so this is defence in depth giving way a little, for a few seconds,
    instead of the platform answering 503 to everyone (docs/architecture/foundation.md).
    """

    def __init__(self) -> None:
        self._redis = None
        self._local = ExpiringSet()
        self.guard = SharedStoreGuard("nonce store (Redis)", retry_after=1.0)

    def _client(self):
        # One client per process (thread-safe, pooled): Django's cache API builds a
        # client per call, which was a fifth of a small request's CPU. Short timeouts:
        # a check that waits on a dead Redis holds a request thread.
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        return self._redis

    def claim(self, nonce: str, signed_at: int, now: float | None = None) -> None:
        """Record the nonce's use, or raise SignatureError (replayed, or stale for the
        degraded window)."""
        max_age = settings.GATEWAY_SIGNATURE_MAX_AGE
        if not self._local.add(nonce, max_age * 2):
            raise SignatureError("replayed_request", "The request was already used.")
        if self.guard.available():
            try:
                fresh = self._client().set(f"gw-nonce:{nonce}", 1, nx=True, ex=max_age * 2)
            except Exception as exc:  # redis.RedisError, OSError
                self.guard.failed(exc)
            else:
                self.guard.succeeded()
                if not fresh:
                    raise SignatureError("replayed_request", "The request was already used.")
                return
        now = time.time() if now is None else now
        if abs(now - signed_at) > settings.GATEWAY_SIGNATURE_DEGRADED_MAX_AGE:
            raise SignatureError("stale_request", "The request signature has expired.")


NONCES = NonceStore()


def _request_headers(request) -> dict[str, str]:
    return {
        name: request.headers.get(name, "")
        for name in (*IDENTITY_HEADERS, HEADER_REQUEST_ID)
        if name in request.headers
    }


class GatewayIdentityMiddleware(HybridMiddleware):
    """Refuses requests the gateway did not sign; sets `request.identity`."""

    def _check(self, request):
        """Return an error response, or None after setting request.identity."""
        # Exact paths (probes) and, for a service that opts in, whole prefixes that the
        # gateway never routes (e.g. auth_service's Django admin, reached by operators
        # through a port-forward and protected by its own login).
        if request.path in settings.GATEWAY_EXEMPT_PATHS or request.path.startswith(
            tuple(getattr(settings, "GATEWAY_EXEMPT_PREFIXES", ()))
        ):
            request.identity = Identity(None, None, clean_request_id(None))
            return None
        max_age = settings.GATEWAY_SIGNATURE_MAX_AGE
        try:
            identity = verify_signature(
                secrets_=settings.GATEWAY_SIGNING_SECRETS,
                method=request.method,
                path=request.path,
                query=request.META.get("QUERY_STRING", ""),
                headers=_request_headers(request),
                max_age=max_age,
            )
        except SignatureError as exc:
            logger.warning("refused request: %s", exc.code, extra={"path": redact(request.path)})
            return error_response(401, exc.code, exc.message)
        try:
            NONCES.claim(request.headers[HEADER_NONCE], int(request.headers[HEADER_TIMESTAMP]))
        except SignatureError as exc:
            logger.warning("refused request: %s", exc.code, extra={"path": redact(request.path)})
            return error_response(401, exc.code, exc.message)
        request.identity = identity
        return None

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        return self._check(request) or self.get_response(request)

    async def __acall__(self, request):
        refused = await sync_to_async(self._check, thread_sensitive=False)(request)
        return refused or await self.get_response(request)


class Caller:
    """`request.user` in DRF views: the gateway-vouched identity of the caller."""

    is_anonymous = False
    is_authenticated = True

    def __init__(self, identity: Identity) -> None:
        self.id = self.pk = identity.user_id
        self.role = identity.role
        self.session_id = identity.session_id
        self.identity = identity

    def __str__(self) -> str:
        return f"{self.role}:{self.id}"


class AnonymousCaller:
    id = pk = role = None
    is_anonymous = True
    is_authenticated = False


class GatewayAuthentication(BaseAuthentication):
    """DRF authentication from `request.identity` (set by the middleware)."""

    def authenticate(self, request):
        identity = getattr(request._request, "identity", None)
        if identity is None or not identity.is_authenticated:
            return None
        return Caller(identity), None

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when a view needs a caller and there is none.
        return 'Bearer realm="rentezy"'


def role_required(*roles: str) -> type[BasePermission]:
    """`permission_classes = [role_required("landlord")]`."""

    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    class HasRole(BasePermission):
        message = f"Only {' or '.join(roles)} users may do this."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.role in roles)

    HasRole.__name__ = f"HasRole_{'_'.join(roles)}"
    return HasRole
