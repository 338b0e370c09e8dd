"""Input validation of the API (output is accounts.representation)."""

from __future__ import annotations

from rest_framework import serializers

from ..choices import SELF_REGISTRATION_ROLES, Role
from ..models import normalize_locale, phone_validator, validate_locale, validate_time_zone

# PBKDF2 cost grows with the password's length; a megabyte "password" would be a cheap
# way to burn our CPU.
MAX_PASSWORD_LENGTH = 256


class TimeZoneField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=64, validators=[_django(validate_time_zone)], **kwargs)


class LocaleField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=35, validators=[_django(validate_locale)], **kwargs)

    def to_internal_value(self, data):
        return normalize_locale(super().to_internal_value(data))


def _django(validator):
    """A model validator raising DRF's error (the message without Django's wrapping)."""

    def run(value):
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    return run


def _password_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False, write_only=True
    )


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = _password_field()
    full_name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(
        choices=[(role.value, role.label) for role in SELF_REGISTRATION_ROLES],
        error_messages={"invalid_choice": "Choose tenant or landlord."},
    )
    phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", validators=[phone_validator]
    )
    # Optional: the web app sends the browser's (Intl.DateTimeFormat().resolvedOptions()).
    time_zone = TimeZoneField(required=False, default="UTC")
    locale = LocaleField(required=False, default="en")


class LoginSerializer(serializers.Serializer):
    # Not an EmailField: a malformed address gets the same 401 as an unknown one.
    email = serializers.CharField(max_length=254, trim_whitespace=False)
    password = serializers.CharField(max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=512)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=512, required=False, allow_blank=True)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False)
    new_password = _password_field()


class MeUpdateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False)
    phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, validators=[phone_validator]
    )
    time_zone = TimeZoneField(required=False)
    locale = LocaleField(required=False)

    IMMUTABLE = {
        "email": "The email cannot be changed.",
        "role": "The role cannot be changed.",
        "is_active": "Only an admin can change this.",
        "password": "Use POST /api/auth/password.",
        "id": "The id cannot be changed.",
    }

    def validate(self, attrs):
        initial = self.initial_data if isinstance(self.initial_data, dict) else {}
        errors = {name: [message] for name, message in self.IMMUTABLE.items() if name in initial}
        if errors:
            raise serializers.ValidationError(errors)
        if not attrs:
            raise serializers.ValidationError(
                "Send at least one of full_name, phone, time_zone, locale."
            )
        return attrs


class IntrospectSerializer(serializers.Serializer):
    # No max_length: an over-long token is simply not ours (inactive), not a bad request.
    token = serializers.CharField(trim_whitespace=False)


class UserListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512, trim_whitespace=False)
    password = _password_field()


class EmailChangeSerializer(serializers.Serializer):
    new_email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False)


class EmailConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512, trim_whitespace=False)
