"""The API's answers, for the OpenAPI document only (docs/architecture/api.md).

The views answer with `accounts.representation`; these serializers describe those dicts
(field for field) and are never used to build a response.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from ..choices import Role


class UserSchema(serializers.Serializer):
    """`user_representation`."""

    id = serializers.CharField(help_text="The user's id (a string, as between services).")
    email = serializers.EmailField()
    full_name = serializers.CharField()
    phone = serializers.CharField(help_text="May be empty.")
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField()
    email_verified = serializers.BooleanField(
        help_text="The user followed the confirmation link mailed to this address."
    )
    time_zone = serializers.CharField(help_text="IANA time zone, e.g. Asia/Kolkata.")
    locale = serializers.CharField(help_text="BCP 47 language tag, e.g. en-IN.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "User"


class AcceptedSchema(serializers.Serializer):
    detail = serializers.CharField()


class RegisteredSchema(serializers.Serializer):
    user = UserSchema()

    class Meta:
        ref_name = "Registered"


class TokenPairSchema(serializers.Serializer):
    """`token_pair_representation`."""

    access = serializers.CharField(help_text="JWT access token: `Authorization: Bearer …`.")
    refresh = serializers.CharField(help_text="Opaque refresh token, single use (rotated).")
    token_type = serializers.ChoiceField(choices=["Bearer"])
    access_expires_in = serializers.IntegerField(help_text="Seconds.")
    refresh_expires_in = serializers.IntegerField(help_text="Seconds.")

    class Meta:
        ref_name = "TokenPair"


class LoginSchema(TokenPairSchema):
    user = UserSchema()

    class Meta:
        ref_name = "Login"


class IntrospectionSchema(serializers.Serializer):
    """`token_introspect`: only `active` when the token is not active."""

    active = serializers.BooleanField()
    user_id = serializers.CharField(required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    exp = serializers.IntegerField(required=False)
    sid = serializers.UUIDField(required=False)

    class Meta:
        ref_name = "Introspection"


USER_EXAMPLE = {
    "id": "42",
    "email": "asha@example.com",
    "full_name": "Asha Rao",
    "phone": "+91 98450 00000",
    "role": "tenant",
    "is_active": True,
    "created_at": "2025-01-05T10:00:00Z",
    "updated_at": "2025-01-05T10:00:00Z",
    "last_login": "2025-01-06T08:30:00Z",
}
TOKENS_EXAMPLE = {
    "access": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl",
    "refresh": "8q3hFv0cM1m0X6r2pQk7bS1yXwq4T9dZkYw3a6n1e0U",
    "token_type": "Bearer",
    "access_expires_in": 900,
    "refresh_expires_in": 2592000,
}
REGISTER_EXAMPLE = OpenApiExample(
    "tenant",
    request_only=True,
    value={
        "email": "asha@example.com",
        "password": "a-long-passphrase",
        "full_name": "Asha Rao",
        "role": "tenant",
    },
)
LOGIN_EXAMPLES = [
    OpenApiExample(
        "credentials",
        request_only=True,
        value={"email": "asha@example.com", "password": "a-long-passphrase"},
    ),
    OpenApiExample("signed in", response_only=True, value={**TOKENS_EXAMPLE, "user": USER_EXAMPLE}),
]
