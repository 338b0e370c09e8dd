"""Users and their sessions (refresh-token families).

A login opens a `UserSession`; its id is the `sid` claim of every access token issued in
it. Each refresh rotates the session's `RefreshToken`: the presented token is marked used
and a new one is issued in the same session. Revoking the session (logout, password
change, deactivation, reuse of a rotated token) ends every token of the family at once:
introspection and refresh both check `UserSession.revoked_at`.
"""

from __future__ import annotations

import functools
import re
import uuid
import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from .choices import RevokeReason, Role


def normalize_email(email: str | None) -> str:
    """The one form an email is stored and looked up in: stripped, all lower case.

    (Django's BaseUserManager.normalize_email lowercases only the domain; mailbox names
    are case-sensitive in theory, never in practice, and two accounts differing only in
    case would be a support nightmare.)"""
    return (email or "").strip().lower()


def validate_time_zone(value: str) -> None:
    """An IANA time zone name known to zoneinfo ("Asia/Kolkata", "UTC")."""
    if value not in available_time_zones():
        raise ValidationError(
            f"{value!r} is not an IANA time zone name (e.g. Europe/Paris).", code="invalid"
        )


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


# BCP 47 language tags as browsers report them (navigator.language): language, optional
# script, region and variants ("en", "en-IN", "zh-Hant-TW", "de-CH-1996"). Private-use
# and extension subtags are not accepted: formatting libraries (Intl) ignore them anyway.
_LOCALE = re.compile(
    r"^(?P<lang>[A-Za-z]{2,3})(?:-(?P<script>[A-Za-z]{4}))?(?:-(?P<region>[A-Za-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*)$"
)


def normalize_locale(value: str) -> str:
    """The canonical case of a BCP 47 tag ("EN-in" -> "en-IN"); `value` if not one."""
    match = _LOCALE.match((value or "").strip().replace("_", "-"))
    if not match:
        return value
    parts = [match["lang"].lower()]
    if match["script"]:
        parts.append(match["script"].title())
    if match["region"]:
        parts.append(match["region"].upper())
    parts += [v.lower() for v in match["variants"].split("-") if v]
    return "-".join(parts)


def validate_locale(value: str) -> None:
    if not _LOCALE.match(value or ""):
        raise ValidationError(
            f"{value!r} is not a BCP 47 language tag (e.g. en-IN).", code="invalid"
        )


# Loose on purpose: formats differ by country; the digits are what matters.
phone_validator = RegexValidator(
    r"^\+?[(0-9][0-9 ()./-]{4,30}$",
    "Enter a phone number: digits, optionally starting with + and grouped with spaces, "
    "dashes, dots or parentheses.",
)


class UserQuerySet(models.QuerySet):
    def by_email(self, email: str) -> UserQuerySet:
        # Filters on lower(email), the expression of the unique index, so the lookup is
        # an index scan whatever case the caller used.
        return self.alias(email_lower=Lower("email")).filter(email_lower=normalize_email(email))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return normalize_email(email)

    def get_by_natural_key(self, username: str) -> User:
        # Used by ModelBackend (Django admin login) and createsuperuser's duplicate check.
        return self.by_email(username).get()

    def _create_user(self, email: str, password: str | None, **fields) -> User:
        """The row of a new user, validated and saved (the caller's transaction).

        Rows only: accounts.services (`user_register`, `user_create_admin`) creates an
        account and announces it (`user.registered`) in one transaction; these exist
        because Django's auth machinery expects them."""
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)  # None gives an unusable password
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("role", Role.TENANT)
        if fields["role"] == Role.ADMIN or fields.get("is_superuser"):
            raise ValueError("Admins are created with `manage.py createsuperuser`.")
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        """An admin's row (`manage.py createsuperuser` goes through
        accounts.services.user_create_admin)."""
        fields["role"] = Role.ADMIN
        fields["is_superuser"] = True
        fields.setdefault("is_active", True)
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a tenant, a landlord or an operator (admin).

    The email is the login, stored normalised (see `normalize_email`); a database check
    keeps it so, and a unique index on lower(email) keeps it unique whatever the case."""

    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=32, blank=True, default="", validators=[phone_validator])
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TENANT)
    # How the web app shows dates and amounts to this user (chosen in the profile; the
    # browser's own on registration).
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    locale = models.CharField(max_length=35, default="en", validators=[validate_locale])
    is_active = models.BooleanField(default=True)
    # When the user proved the address is theirs (the link of the confirmation email);
    # null until then, and again after an email change until the new one is confirmed.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message="A user with this email already exists.",
            ),
            models.CheckConstraint(
                condition=Q(email=Lower(Trim("email"))),
                name="accounts_user_email_normalised",
                violation_error_message="The email must be stored trimmed and lower case.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="accounts_user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        # Django admin lets in active staff; only admins are staff.
        return self.role == Role.ADMIN

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)
        self.full_name = (self.full_name or "").strip()

    def save(self, *args, **kwargs) -> None:
        # Only the row: revoking sessions and announcing a new password is the work of
        # accounts.services (user_change_password, user_set_password), which the API,
        # `manage.py changepassword` and the admin all call. A hash Django upgrades at
        # login (new hasher settings) is saved here and is not a password change.
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)


class UserSessionQuerySet(models.QuerySet):
    def revoke(self, reason: str) -> list:
        """Revoke the sessions of this queryset still live; returns their ids (for the
        `session.revoked` events the caller publishes in the same transaction)."""
        live = self.filter(revoked_at=None)
        ids = list(live.select_for_update().values_list("id", flat=True))
        if ids:
            live.filter(pk__in=ids).update(revoked_at=timezone.now(), revoke_reason=reason)
        return ids


class UserSession(models.Model):
    """One login: the family of refresh tokens rotated from it (the `sid` claim)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField(default=timezone.now)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(
        max_length=32, choices=RevokeReason.choices, blank=True, default=""
    )

    objects = UserSessionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"session {self.id} of user {self.user_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RefreshToken(models.Model):
    """One refresh token of a session. Only its SHA-256 is stored: a database leak gives
    nobody a usable token. `used_at` is set when it is rotated; presenting it again
    afterwards means it was stolen (or replayed), and the whole session is revoked."""

    session = models.ForeignKey(
        UserSession, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)  # hex SHA-256
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh token {self.pk} of session {self.session_id}"


class OneTimeToken(models.Model):
    """A secret a user receives by email and hands back once: a password reset, or the
    confirmation of an email address (on registration, or a new address on a change).

    Only its SHA-256 is stored; it works once (`used_at`), until `expires_at`, and a
    newer token of the same kind supersedes the older ones (they are spent when it is
    issued)."""

    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind, not a password
        EMAIL_VERIFICATION = "email_verification"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_tokens")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)  # hex SHA-256
    email = models.CharField(max_length=254)  # the address it was sent to
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "kind"], name="one_time_token_user_kind")]

    def __str__(self) -> str:
        return f"{self.kind} token {self.pk} of user {self.user_id}"


class KnownDevice(models.Model):
    """A browser or app a user has signed in from (accounts.devices: the User-Agent's
    browser family and operating system, not its version, so an update is the same
    device). A sign-in from one not seen before tells the user (`user.new_device_login`),
    except the account's very first."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    fingerprint = models.CharField(max_length=64)  # hex SHA-256 of the label
    label = models.CharField(max_length=120)  # "Chrome on Linux"
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="known_device_once")
        ]

    def __str__(self) -> str:
        return f"{self.label} of user {self.user_id}"
