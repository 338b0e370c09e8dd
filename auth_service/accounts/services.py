"""Identity's writes: registration, sessions and tokens, passwords, profile, activation.

Each function is one transaction; every change other services must know about writes
its `user-events` row (accounts.events) in that same transaction. The API, the Django
admin and the management commands (`createsuperuser`, `changepassword`) all come here:
no model method does this work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import lockout
from .choices import SELF_REGISTRATION_ROLES, RevokeReason
from .devices import device_fingerprint, device_label
from .errors import (
    CannotDeactivateSelf,
    EmailAlreadyVerified,
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
    NoSession,
    NoSuchUser,
)
from .events import (
    new_device_login_publish,
    session_revoked_publish,
    user_event_publish,
    user_token_publish,
)
from .models import KnownDevice, OneTimeToken, RefreshToken, User, UserSession, normalize_email
from .selectors import user_get_active
from .tokens import (
    TokenPair,
    access_token_decode,
    access_token_issue,
    refresh_token_hash,
    refresh_token_new,
)

logger = logging.getLogger(__name__)


def _user_for_update(user_id: int) -> User:
    """The user's row, locked until the transaction ends, or 404."""
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NoSuchUser()
    return user


# --- accounts ---------------------------------------------------------------------------


def _user_create(create: Callable[..., User], **fields) -> User:
    """Create a user with `create` (a manager method: the validated row) and announce it
    (`user.registered`) in one transaction. A duplicate email, also one racing this very
    registration, is 409 `email_taken`."""
    try:
        with transaction.atomic():
            user = create(**fields)
            user_event_publish(user=user, event_type="user.registered")
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
    return user


def _email_check_free(email: str) -> None:
    if User.objects.by_email(email).exists():
        raise EmailTaken(details={"email": [EmailTaken.message]})


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
    """Self-registration of a tenant or landlord (admins: `user_create_admin`); the time
    zone and locale default to the browser's in the web app."""
    if role not in SELF_REGISTRATION_ROLES:
        raise ValidationError({"role": ["Only tenant or landlord accounts can be registered."]})
    email = normalize_email(email)
    candidate = User(email=email, full_name=full_name, role=role, phone=phone)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    _email_check_free(email)
    with transaction.atomic():
        user = _user_create(
            User.objects.create_user,
            email=email,
            password=password,
            full_name=full_name,
            role=role,
            phone=phone,
            time_zone=time_zone,
            locale=locale,
        )
        # The new account confirms its address: notification_service mails the link.
        _email_verification_issue(user=user, email=user.email)
    return user


def user_create_admin(*, email: str, full_name: str, password: str | None) -> User:
    """An operator account (`manage.py createsuperuser`, the only way to one): role
    admin, superuser. The command validates an interactively typed password as Django
    does; `None` gives an unusable password."""
    email = normalize_email(email)
    _email_check_free(email)
    return _user_create(
        User.objects.create_superuser, email=email, password=password, full_name=full_name
    )


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


def session_revoke_all(*, user_id: int, reason: str) -> int:
    """Revoke every live session of a user and announce each (`session.revoked`);
    returns how many. Call inside a transaction."""
    ids = UserSession.objects.filter(user_id=user_id).revoke(reason)
    session_revoked_publish(user_id=user_id, session_ids=ids, reason=reason)
    return len(ids)


def _dummy_password_check(password: str) -> None:
    # Like ModelBackend: hash the password even when there is no user, so the response
    # time does not tell whether the email is registered.
    User().set_password(password)


def _device_note(*, user: User, user_agent: str, client_ip: str, now) -> None:
    """Remember the device of a sign-in; one not seen before, on an account that has
    signed in before, is announced (`user.new_device_login`). Caller's transaction."""
    label = device_label(user_agent)
    fingerprint = device_fingerprint(label)
    if KnownDevice.objects.filter(user=user, fingerprint=fingerprint).update(last_seen_at=now):
        return
    first = not KnownDevice.objects.filter(user=user).exists()
    _, created = KnownDevice.objects.get_or_create(
        user=user,
        fingerprint=fingerprint,
        defaults={"label": label, "first_seen_at": now, "last_seen_at": now},
    )
    if created and not first:
        new_device_login_publish(user=user, device=label, client_ip=client_ip, at=now)


def user_login(
    *, email: str, password: str, user_agent: str = "", client_ip: str = ""
) -> tuple[User, TokenPair]:
    """Check the credentials (with the per-account lockout) and open a session; a
    sign-in from a new device is announced (_device_note)."""
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
        _device_note(user=user, user_agent=user_agent, client_ip=client_ip, now=now)
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
                session_revoked_publish(
                    user_id=user.pk, session_ids=[session.pk], reason=RevokeReason.REUSE_DETECTED
                )
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
        ids = UserSession.objects.filter(pk__in=session_ids, user_id=user_id).revoke(
            RevokeReason.LOGOUT
        )
        session_revoked_publish(user_id=user_id, session_ids=ids, reason=RevokeReason.LOGOUT)
        return len(ids)


# --- passwords --------------------------------------------------------------------------


def _password_validate(password: str, *, user: User, field: str, errors=()) -> None:
    messages = list(errors)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        messages.extend(exc.messages)
    if messages:
        raise ValidationError({field: messages})


def _password_store(user: User, password: str) -> None:
    """Store the new hash, revoke every session of the user and announce
    `user.password_changed` (the caller's transaction, `user` locked): whoever knew the
    old password is signed out everywhere."""
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    session_revoke_all(user_id=user.pk, reason=RevokeReason.PASSWORD_CHANGE)
    user_event_publish(user=user, event_type="user.password_changed")


def user_change_password(*, user_id: int, current_password: str, new_password: str) -> TokenPair:
    """The user changes their password: every session is revoked, and a new one opened
    for the device that asked (so it stays signed in while all others are signed out)."""
    user = user_get_active(user_id=user_id)
    # Guessing the current password here counts like guessing it at login.
    lockout.login_lock_check(user.email)
    if not user.check_password(current_password):
        lockout.login_failure_record(user.email)
        raise ValidationError({"current_password": ["The current password is incorrect."]})
    lockout.login_failures_reset(user.email)
    same = new_password == current_password
    _password_validate(
        new_password,
        user=user,
        field="new_password",
        errors=["The new password must differ from the current one."] if same else (),
    )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _password_store(user, new_password)
        pair = _session_open(user=user)
    return pair


def user_set_password(*, user_id: int, password: str) -> User:
    """An operator sets a user's password (`manage.py changepassword`, e.g. for an
    account taken over): validated like any new password; every session of the user is
    revoked and `user.password_changed` announced, as for the user's own change."""
    with transaction.atomic():
        user = _user_for_update(user_id)
        _password_validate(password, user=user, field="password")
        _password_store(user, password)
    return user


# --- profile and activation -------------------------------------------------------------


def user_update(*, user_id: int, **changes: str) -> User:
    """Change profile fields (full_name, phone, time_zone, locale); announce
    `user.updated` if anything actually changed."""
    allowed = {"full_name", "phone", "time_zone", "locale"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    with transaction.atomic():
        user = _user_for_update(user_id)
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
        raise CannotDeactivateSelf()
    with transaction.atomic():
        user = _user_for_update(user_id)
        # Revoke even when already inactive: a retry repairs nothing it need not, and
        # no live session of an inactive user should exist.
        session_revoke_all(user_id=user.pk, reason=RevokeReason.DEACTIVATED)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active", "updated_at"])
            user_event_publish(user=user, event_type="user.deactivated")
    return user


def user_activate(*, user_id: int) -> User:
    """Re-activate a user (they sign in again; old sessions stay revoked). Idempotent."""
    with transaction.atomic():
        user = _user_for_update(user_id)
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


# --- password reset and email confirmation -------------------------------------------


def _one_time_token_issue(*, user: User, kind: str, email: str, lifetime: int):
    """A new token of `kind` for `user` (the older unused ones of that kind are spent:
    only the newest link works); (token, expires_at). Caller's transaction."""
    now = timezone.now()
    OneTimeToken.objects.filter(user=user, kind=kind, used_at__isnull=True).update(used_at=now)
    token, token_hash = refresh_token_new()  # 256 random bits, only the hash stored
    expires_at = now + timedelta(seconds=lifetime)
    OneTimeToken.objects.create(
        user=user, kind=kind, token_hash=token_hash, email=email, created_at=now,
        expires_at=expires_at,
    )  # fmt: skip
    return token, expires_at


def _one_time_token_spend(*, token: str, kind: str) -> OneTimeToken:
    """The token's row, locked and marked used, with its user locked; InvalidToken (400)
    for an unknown, used, superseded or expired one. Caller's transaction."""
    if not token or len(token) > 512:
        raise InvalidToken()
    row = (
        OneTimeToken.objects.select_for_update()
        .filter(token_hash=refresh_token_hash(token), kind=kind)
        .first()
    )
    now = timezone.now()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise InvalidToken()
    user = User.objects.select_for_update().get(pk=row.user_id)
    if not user.is_active:
        raise InvalidToken()
    row.used_at = now
    row.save(update_fields=["used_at"])
    row.user = user
    return row


def _email_verification_issue(*, user: User, email: str, change: bool = False) -> None:
    token, expires_at = _one_time_token_issue(
        user=user,
        kind=OneTimeToken.Kind.EMAIL_VERIFICATION,
        email=email,
        lifetime=settings.AUTH_EMAIL_TOKEN_SECONDS,
    )
    user_token_publish(
        user=user, event_type="user.email_verification_requested", email=email, token=token,
        expires_at=expires_at, change=change,
    )  # fmt: skip


def _reset_allowed(email: str) -> bool:
    """At most AUTH_PASSWORD_RESET_PER_EMAIL reset emails per email address per hour
    (the gateway limits requests per IP): nobody can flood a mailbox with resets. Redis
    down: allowed (a reset must keep working; the gateway's limit still holds)."""
    key = "password-reset:" + refresh_token_hash(email)
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) <= settings.AUTH_PASSWORD_RESET_PER_EMAIL
    except Exception:  # redis.RedisError, OSError, ValueError (key evicted meanwhile)
        logger.warning("password reset counter unavailable; allowing")
        return True


def password_reset_request(*, email: str) -> None:
    """Someone asks for a reset link for `email`. The answer is the same whether or not
    an account has it (the API always says 202): only an active account gets an email,
    and only a few per hour."""
    email = normalize_email(email)
    if not _reset_allowed(email):
        logger.info("password reset limited", extra={"reason": "per_email"})
        return
    with transaction.atomic():
        user = User.objects.by_email(email).select_for_update().first()
        if user is None or not user.is_active:
            return
        token, expires_at = _one_time_token_issue(
            user=user,
            kind=OneTimeToken.Kind.PASSWORD_RESET,
            email=user.email,
            lifetime=settings.AUTH_PASSWORD_RESET_TOKEN_SECONDS,
        )
        user_token_publish(
            user=user, event_type="user.password_reset_requested", email=user.email,
            token=token, expires_at=expires_at,
        )  # fmt: skip


def password_reset_confirm(*, token: str, password: str) -> User:
    """A new password from a reset link: the token works once; every session of the
    user ends (`session.revoked`) and `user.password_changed` is announced. A forged,
    used or expired token is 400 `invalid_token` and nothing changes; a weak password is
    400 naming `password` and the token stays usable."""
    with transaction.atomic():
        row = _one_time_token_spend(token=token, kind=OneTimeToken.Kind.PASSWORD_RESET)
        user = row.user
        _password_validate(password, user=user, field="password")
        _password_store(user, password)
        # A reset also proves the address (the link was mailed there).
        if user.email_verified_at is None and row.email == user.email:
            User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        lockout.login_failures_reset(user.email)
    return user


def email_change_request(*, user_id: int, new_email: str, password: str) -> None:
    """The signed-in user asks to move their account to `new_email`: the password is
    checked (like a sign-in: the lockout counts), and a confirmation link goes to the
    new address; the email changes only when it is followed (`email_confirm`)."""
    user = user_get_active(user_id=user_id)
    lockout.login_lock_check(user.email)
    if not user.check_password(password):
        lockout.login_failure_record(user.email)
        raise ValidationError({"password": ["The password is incorrect."]})
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise ValidationError({"new_email": ["This is already your email address."]})
    _email_check_free(new_email)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _email_verification_issue(user=user, email=new_email, change=True)


def email_verification_resend(*, user_id: int) -> None:
    user = user_get_active(user_id=user_id)
    if user.email_verified_at is not None:
        raise EmailAlreadyVerified()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _email_verification_issue(user=user, email=user.email)


def email_confirm(*, token: str) -> User:
    """Follow a confirmation link: the address it was sent to is the user's, confirmed.
    For an email change the account moves to the new address (409 `email_taken` if
    someone registered it meanwhile) and the old address is told (`user.email_changed`,
    with `previous_email`); otherwise `user.email_verified`."""
    with transaction.atomic():
        row = _one_time_token_spend(token=token, kind=OneTimeToken.Kind.EMAIL_VERIFICATION)
        user = row.user
        now = timezone.now()
        if row.email != user.email:
            previous = user.email
            _email_check_free(row.email)
            user.email = row.email
            user.email_verified_at = now
            try:
                with transaction.atomic():
                    user.save(update_fields=["email", "email_verified_at", "updated_at"])
            except IntegrityError:
                raise EmailTaken() from None
            user_event_publish(user=user, event_type="user.email_changed", previous_email=previous)
        elif user.email_verified_at is None:
            user.email_verified_at = now
            user.save(update_fields=["email_verified_at", "updated_at"])
            user_event_publish(user=user, event_type="user.email_verified")
    return user
