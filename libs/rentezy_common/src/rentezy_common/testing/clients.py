"""A DRF test client that signs every request the way the gateway does."""

from __future__ import annotations

import uuid

from django.conf import settings
from rest_framework.test import APIClient

from ..gateway import sign_request
from ..logs import new_request_id


class GatewayClient(APIClient):
    """`GatewayClient(user_id="42", role="tenant").get("/api/...")` — as if forwarded by
    the gateway for that caller (anonymous when no user_id)."""

    def __init__(self, *args, user_id: str | None = None, role: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = user_id
        self.role = role
        self.last_signed_headers: dict[str, str] = {}

    def as_user(self, user_id: str | None, role: str | None) -> GatewayClient:
        self.user_id, self.role = user_id, role
        return self

    def request(self, **environ):
        headers = sign_request(
            secret=settings.GATEWAY_SIGNING_SECRETS[0],
            method=environ["REQUEST_METHOD"],
            path=environ["PATH_INFO"],
            query=environ.get("QUERY_STRING", ""),
            user_id=self.user_id,
            role=self.role,
            request_id=new_request_id(),
        )
        self.last_signed_headers = headers
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        return super().request(**environ)


def new_user_id() -> str:
    """A fresh user id, as auth_service's are (digits, as a string)."""
    return str(uuid.uuid4().int % 10**9)


def caller(role: str | None) -> GatewayClient:
    """A new user of `role` (None: anonymous), as the gateway vouches for them."""
    return GatewayClient(user_id=new_user_id() if role else None, role=role)
