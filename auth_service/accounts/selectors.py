"""Identity's reads: token introspection, the user lookups and the admin's user list.

Who may call them is decided by the views' permission classes (the admin API needs the
admin role; `/internal/introspect` the gateway's signature); a missing user is the API's
404 (`NoSuchUser`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from .errors import NoSuchUser
from .models import User, UserSession
from .tokens import access_token_decode

INACTIVE: dict[str, Any] = {"active": False}


def token_introspect(*, token: str) -> dict[str, Any]:
    """RFC 7662-style answer for an access token (docs/contracts/auth.md).

    Active only if the JWT checks out (signature, HS256, issuer, audience, expiry, type)
    and, in one indexed query (session primary key joined to the user's), the session is
    not revoked and the user exists and is active. No reason is ever given."""
    claims = access_token_decode(token)
    if claims is None:
        return dict(INACTIVE)
    try:
        user_id = int(claims["sub"])
        session_id = uuid.UUID(claims["sid"])
    except (TypeError, ValueError):
        return dict(INACTIVE)
    if not 0 < user_id < 2**63:  # bigint; a larger value cannot be ours
        return dict(INACTIVE)
    roles = list(
        UserSession.objects.filter(
            pk=session_id, user_id=user_id, revoked_at=None, user__is_active=True
        ).values_list("user__role", flat=True)[:1]
    )
    if not roles:
        return dict(INACTIVE)
    return {
        "active": True,
        "user_id": str(user_id),
        "role": roles[0],
        "exp": claims["exp"],
        "sid": str(session_id),
    }


def user_list(
    *, search: str = "", role: str | None = None, is_active: bool | None = None
) -> QuerySet[User]:
    users = User.objects.all()
    search = search.strip()
    if search:
        users = users.filter(Q(email__icontains=search) | Q(full_name__icontains=search))
    if role:
        users = users.filter(role=role)
    if is_active is not None:
        users = users.filter(is_active=is_active)
    return users.order_by("id")


def user_get(*, user_id: int) -> User:
    """The user, active or not, or 404 (an id beyond bigint is simply not found)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NoSuchUser()
    return user


def user_get_active(*, user_id: int) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NoSuchUser()
    return user


def user_get_by_email(*, email: str) -> User:
    """The user of `email` in any case (operators' commands), or 404."""
    user = User.objects.by_email(email).first()
    if user is None:
        raise NoSuchUser()
    return user
