"""Identity's writes: registration, sessions and tokens, profile, activation.

Each function is one transaction; every change other services must know about writes
its `user-events` row (accounts.events) in that same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from rentezy_common.errors import ApiError, Conflict, NotFound, Unauthorized

from . import lockout
from .choices import SELF_REGISTRATION_ROLES, RevokeReason
from .events import user_event_publish
from .models import RefreshToken, User, UserSession, normalize_email
from .tokens import access_token_decode, access_token_issue, refresh_token_hash, refresh_token_new

logger = logging.getLogger(__name__)


class EmailTaken(Conflict):
    code = "email_taken"
    message = "A user with this email already exists."


class InvalidCredentials(Unauthorized):
    # One body for "no such email", "wrong password" and "inactive account".
    code = "invalid_credentials"
    message = "The email or password is incorrect."


class InvalidRefreshToken(Unauthorized):
    # One body for unknown, expired, revoked and reused tokens.
    code = "invalid_refresh_token"
    message = "The refresh token is invalid or expired; sign in again."


class NoSession(ApiError):
    code = "no_session"
    message = (
        "No session to end: send the access token in the Authorization header or the "
        "refresh token in the body."
    )


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_in: int  # seconds
    refresh_expires_in: int  # seconds
    session_id: str

    def as_dict(self) -> dict:
        return {
            "access": self.access,
            "refresh": self.refresh,
            "token_type": "Bearer",
            "access_expires_in": self.access_expires_in,
            "refresh_expires_in": self.refresh_expires_in,
        }


# --- registration -----------------------------------------------------------------------


def user_register(
    *,
    email: str,
    password: str,
    full_name: str,
    role: str,
    phone: str = "",
    time_zone: str = "UTC",
    locale: str = "en",
) -> User:
    """Self-registration of a tenant or landlord (admins come from createsuperuser)."""
    if role not in SELF_REGISTRATION_ROLES:
        raise ValidationError({"role": ["Only tenant or landlord accounts can be registered."]})
    email = normalize_email(email)
    candidate = User(email=email, full_name=full_name, role=role, phone=phone)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    if User.objects.by_email(email).exists():
        raise EmailTaken(details={"email": [EmailTaken.message]})
    try:
        return User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name,
            role=role,
            phone=phone,
            time_zone=time_zone,
            locale=locale,
        )
    except IntegrityError as exc:
        # Two registrations of one email at the same moment: the unique index decides.
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        if constraint == "accounts_user_email_ci_unique":
            raise EmailTaken(details={"email": [EmailTaken.message]}) from None
        raise
    except ValidationError as exc:
        # full_clean's unique check lost the same race a step earlier.
        if any("already exists" in m for m in exc.messages):
            raise EmailTaken(details={"email": [EmailTaken.message]}) from None
        raise


# --- sessions and tokens ----------------------------------------------------------------


def _tokens_issue(*, user: User, session: UserSession, now) -> TokenPair:
    """A new refresh token in `session` and an access token for it (caller's transaction)."""
    refresh, token_hash = refresh_token_new()
    lifetime = settings.AUTH_REFRESH_TOKEN_SECONDS
    RefreshToken.objects.create(
        session=session,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + timedelta(seconds=lifetime),
    )
    access, access_lifetime = access_token_issue(
        user_id=user.pk, role=user.role, session_id=session.pk
    )
    return TokenPair(
        access=access,
        refresh=refresh,
        access_expires_in=access_lifetime,
        refresh_expires_in=lifetime,
        session_id=str(session.pk),
    )


def _session_open(*, user: User) -> TokenPair:
    now = timezone.now()
    session = UserSession.objects.create(user=user, created_at=now)
    return _tokens_issue(user=user, session=session, now=now)


def sessions_revoke_all(*, user_id: int, reason: str) -> int:
    """Revoke every live session of a user; returns how many."""
    return UserSession.objects.filter(user_id=user_id).revoke(reason)


def _dummy_password_check(password: str) -> None:
    # Like ModelBackend: hash the password even when there is no user, so the response
    # time does not tell whether the email is registered.
    User().set_password(password)


def user_login(*, email: str, password: str) -> tuple[User, TokenPair]:
    """Check the credentials (with the per-account lockout) and open a session."""
    lockout.login_lock_check(email)
    user = User.objects.by_email(email).first()
    if user is None:
        _dummy_password_check(password)
        valid = False
    else:
        # The hash runs for inactive users too: same time, same answer as a wrong password.
        valid = user.check_password(password) and user.is_active
    if not valid:
        lockout.login_failure_record(email)
        raise InvalidCredentials()
    lockout.login_failures_reset(email)
    with transaction.atomic():
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(last_login=now)
        user.last_login = now
        pair = _session_open(user=user)
    return user, pair


def session_refresh(*, refresh_token: str) -> TokenPair:
    """Rotate a refresh token: the presented one is spent, a new one takes its place.

    The token row (and its session) is locked FOR UPDATE, so two concurrent refreshes
    with the same token serialize: the second sees the token already used. Presenting a
    used token means someone holds a copy; the whole session (every token rotated from
    the same login) is revoked, and that revocation is committed before answering 401.

    Except a duplicate: the token was spent less than AUTH_REFRESH_REUSE_GRACE_SECONDS
    ago and it is still the session's latest rotation (its successor was never used).
    That is a client refreshing twice at once (two tabs, a retry after a timeout); it
    gets a pair of its own in the same session, as Okta's grace period and Auth0's reuse
    interval allow."""
    token_hash = refresh_token_hash(refresh_token)
    outcome: TokenPair | None = None
    with transaction.atomic():
        token = (
            RefreshToken.objects.select_for_update(of=("self", "session"))
            .select_related("session__user")
            .filter(token_hash=token_hash)
            .first()
        )
        if token is None:
            raise InvalidRefreshToken()
        session = token.session
        user = session.user
        now = timezone.now()
        usable = not session.is_revoked and token.expires_at > now and user.is_active
        if token.used_at is not None and usable and _refresh_duplicate(token, session, now):
            logger.info(
                "refresh token presented twice within the grace period",
                extra={"user_id": user.pk, "session_id": str(session.pk)},
            )
            outcome = _tokens_issue(user=user, session=session, now=now)
        elif token.used_at is not None:
            if not session.is_revoked:
                session.revoked_at = now
                session.revoke_reason = RevokeReason.REUSE_DETECTED
                session.save(update_fields=["revoked_at", "revoke_reason"])
                logger.warning(
                    "rotated refresh token presented again: session revoked",
                    extra={"user_id": user.pk, "session_id": str(session.pk)},
                )
        elif usable:
            token.used_at = now
            token.save(update_fields=["used_at"])
            session.last_refreshed_at = now
            session.save(update_fields=["last_refreshed_at"])
            outcome = _tokens_issue(user=user, session=session, now=now)
    if outcome is None:
        raise InvalidRefreshToken()
    return outcome


def _refresh_duplicate(token: RefreshToken, session: UserSession, now) -> bool:
    """A spent token presented again within the grace period, before anything was
    rotated after it (`last_refreshed_at` is set to the `used_at` of every rotation)."""
    grace = timedelta(seconds=settings.AUTH_REFRESH_REUSE_GRACE_SECONDS)
    return now - token.used_at <= grace and session.last_refreshed_at == token.used_at


def session_logout(*, user_id: int, access_token: str | None, refresh_token: str | None) -> int:
    """End the caller's session: the one named by the access token's `sid` (the gateway
    forwards the Authorization header unchanged) and/or the one of `refresh_token`.
    Only the caller's own sessions are touched. Idempotent."""
    session_ids = set()
    if access_token:
        claims = access_token_decode(access_token, verify_exp=False)
        if claims is not None and claims["sub"] == str(user_id):
            session_ids.add(claims["sid"])
    if refresh_token:
        session_id = (
            RefreshToken.objects.filter(
                token_hash=refresh_token_hash(refresh_token), session__user_id=user_id
            )
            .values_list("session_id", flat=True)
            .first()
        )
        if session_id is not None:
            session_ids.add(str(session_id))
    if not session_ids:
        raise NoSession()
    with transaction.atomic():
        return UserSession.objects.filter(pk__in=session_ids, user_id=user_id).revoke(
            RevokeReason.LOGOUT
        )


def user_change_password(*, user_id: int, current_password: str, new_password: str) -> TokenPair:
    """Change the password, revoke every session of the user, and open a new one for the
    device that asked (so it stays signed in while all others are signed out)."""
    user = _active_user(user_id)
    # Guessing the current password here counts like guessing it at login.
    lockout.login_lock_check(user.email)
    if not user.check_password(current_password):
        lockout.login_failure_record(user.email)
        raise ValidationError({"current_password": ["The current password is incorrect."]})
    lockout.login_failures_reset(user.email)
    errors = []
    if new_password == current_password:
        errors.append("The new password must differ from the current one.")
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        errors.extend(exc.messages)
    if errors:
        raise ValidationError({"new_password": errors})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(new_password)
        # User.save() revokes every session and announces the change.
        user.save(update_fields=["password", "updated_at"])
        pair = _session_open(user=user)
    return pair


# --- profile and activation -------------------------------------------------------------


def _active_user(user_id: int) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def user_update(*, user_id: int, **changes: str) -> User:
    """Change profile fields (full_name, phone, time_zone, locale); announce
    `user.updated` if anything actually changed."""
    allowed = {"full_name", "phone", "time_zone", "locale"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound("No such user.")
        changed = [name for name, value in changes.items() if getattr(user, name) != value]
        if changed:
            for name in changed:
                setattr(user, name, changes[name])
            user.full_clean(exclude=["password"])
            user.save(update_fields=[*changed, "updated_at"])
            user_event_publish(user=user, event_type="user.updated")
    return user


def user_deactivate(*, user_id: int, actor_id: int | None) -> User:
    """Deactivate a user and revoke all their sessions. Idempotent: deactivating an
    inactive user changes nothing and announces nothing."""
    if actor_id is not None and int(actor_id) == int(user_id):
        raise Conflict("You cannot deactivate your own account.", code="cannot_deactivate_self")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound("No such user.")
        # Revoke even when already inactive: a retry repairs nothing it need not, and
        # no live session of an inactive user should exist.
        sessions_revoke_all(user_id=user.pk, reason=RevokeReason.DEACTIVATED)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active", "updated_at"])
            user_event_publish(user=user, event_type="user.deactivated")
    return user


def user_activate(*, user_id: int) -> User:
    """Re-activate a user (they sign in again; old sessions stay revoked). Idempotent."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound("No such user.")
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active", "updated_at"])
            user_event_publish(user=user, event_type="user.activated")
    return user


# --- housekeeping -----------------------------------------------------------------------


def refresh_tokens_purge(*, grace: timedelta = timedelta(days=1)) -> tuple[int, int]:
    """Delete refresh tokens expired for longer than `grace`, then sessions left without
    any token (their access tokens expired long ago). Returns (tokens, sessions)."""
    cutoff = timezone.now() - grace
    with transaction.atomic():
        tokens, _ = RefreshToken.objects.filter(expires_at__lt=cutoff).delete()
        sessions, _ = (
            UserSession.objects.filter(created_at__lt=cutoff)
            .filter(~Exists(RefreshToken.objects.filter(session=OuterRef("pk"))))
            .delete()
        )
    return tokens, sessions
