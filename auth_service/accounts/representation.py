"""The JSON of identity's objects.

`user_representation` is the body of every user the API returns and, without
`last_login`, the payload of every `user-events` event (accounts.events), so the API and
the contract cannot drift apart. `token_pair_representation` is the answer of login,
refresh and password change.

Timestamps stay `datetime`s: the API's JSON renderer and the outbox's encoder write them
as ISO 8601 in UTC ("...Z"), as they always have.
"""

from __future__ import annotations

from typing import Any

from .models import User
from .tokens import TokenPair


def user_representation(user: User) -> dict[str, Any]:
    """`{id, email, full_name, phone, role, time_zone, locale, is_active,
    email_verified, created_at, updated_at, last_login}`; ids travel as strings between
    services. Never the password hash."""
    return {
        "id": str(user.pk),
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "time_zone": user.time_zone,
        "locale": user.locale,
        "is_active": user.is_active,
        "email_verified": user.email_verified_at is not None,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_login": user.last_login,
    }


def token_pair_representation(pair: TokenPair) -> dict[str, Any]:
    return {
        "access": pair.access,
        "refresh": pair.refresh,
        "token_type": "Bearer",
        "access_expires_in": pair.access_expires_in,
        "refresh_expires_in": pair.refresh_expires_in,
    }
