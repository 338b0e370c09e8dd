"""The signed token of an unsubscribe link: whose, which category, which channel.

Signed with Django's signing (HMAC-SHA256 of the service's SECRET_KEY, a salt of its
own) and timestamped: a forged or altered token, or one older than
NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS, is refused and nothing changes. The link needs
no login (RFC 8058: the mail client POSTs it by itself), so the token is the
credential; it appears in a URL path, which the gateway and every service mask in their
logs (settings.LOG_REDACTED_PATHS).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from .errors import InvalidToken

SALT = "rentezy.notifications.unsubscribe"


def unsubscribe_token(*, user_id: str, category: str, channel: str = "email") -> str:
    return signing.dumps({"u": user_id, "c": category, "ch": channel}, salt=SALT, compress=True)


def unsubscribe_token_read(token: str) -> dict:
    """{"u", "c", "ch"} of a valid token; InvalidToken (400) otherwise."""
    if not token or len(token) > 400:
        raise InvalidToken()
    try:
        data = signing.loads(
            token, salt=SALT, max_age=settings.NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS * 86400
        )
    except signing.BadSignature:  # SignatureExpired included
        raise InvalidToken() from None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) for k in ("u", "c", "ch")
    ):
        raise InvalidToken()
    return data
