"""Access tokens (JWT, HS256) and refresh tokens (opaque, stored hashed).

The access token's claims are the contract with the gateway (docs/contracts/auth.md):
iss, aud, sub, role, sid, jti, iat, exp, typ="access". Only this service holds the
signing secret; the gateway asks `/internal/introspect`.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings

from rentezy_common.gateway import ROLES

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
REQUIRED_CLAIMS = ("exp", "iat", "sub", "sid", "iss", "aud", "typ")
# A JWT we issue is ~400 bytes; anything far longer is not ours and is not worth
# base64-decoding.
MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class TokenPair:
    """What a sign-in, a refresh or a password change hands the client
    (accounts.representation.token_pair_representation)."""

    access: str
    refresh: str
    access_expires_in: int  # seconds
    refresh_expires_in: int  # seconds
    session_id: str


def access_token_issue(*, user_id: Any, role: str, session_id: Any) -> tuple[str, int]:
    """Return (token, lifetime in seconds)."""
    lifetime = settings.AUTH_ACCESS_TOKEN_SECONDS
    now = int(time.time())
    claims = {
        "iss": settings.AUTH_JWT_ISSUER,
        "aud": settings.AUTH_JWT_AUDIENCE,
        "sub": str(user_id),
        "role": role,
        "sid": str(session_id),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + lifetime,
        "typ": ACCESS_TOKEN_TYPE,
    }
    return jwt.encode(claims, settings.AUTH_JWT_SECRET, algorithm=ALGORITHM), lifetime


def access_token_decode(token: str, *, verify_exp: bool = True) -> dict[str, Any] | None:
    """The claims of a valid access token, or None for anything else.

    Only HS256 is accepted (so `alg: none` and algorithm confusion fail), signed with our
    secret, with our issuer and audience, every required claim present, typ "access",
    not expired (unless `verify_exp` is off: logout identifies the session of a token
    that may have expired since the gateway checked it)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        claims = jwt.decode(
            token,
            settings.AUTH_JWT_SECRET,
            algorithms=[ALGORITHM],
            audience=settings.AUTH_JWT_AUDIENCE,
            issuer=settings.AUTH_JWT_ISSUER,
            options={"require": list(REQUIRED_CLAIMS), "verify_exp": verify_exp},
        )
    except jwt.PyJWTError:
        return None
    if (
        claims.get("typ") != ACCESS_TOKEN_TYPE
        or not isinstance(claims.get("sid"), str)
        or not isinstance(claims.get("exp"), int)
        or claims.get("role") not in ROLES
    ):
        return None
    return claims


def refresh_token_new() -> tuple[str, str]:
    """A new refresh token and the hash to store: (token, sha256 hex)."""
    token = secrets.token_urlsafe(32)  # 256 bits of randomness
    return token, refresh_token_hash(token)


def refresh_token_hash(token: str) -> str:
    # A plain (unsalted) hash is enough: the token is 256 random bits, so there is no
    # dictionary to attack, and the lookup must be by hash.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
