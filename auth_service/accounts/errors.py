"""Identity's domain errors: each becomes its 4xx in the platform's error shape
(rentezy_common.errors renders them; no view maps an error itself)."""

from __future__ import annotations

from rentezy_common.errors import ApiError, Conflict, NotFound, Unauthorized


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


class NoSuchUser(NotFound):
    message = "No such user."


class CannotDeactivateSelf(Conflict):
    code = "cannot_deactivate_self"
    message = "You cannot deactivate your own account."


class TooManyAttempts(ApiError):
    """The email is locked after too many failed sign-ins (accounts.lockout). The body
    is the same whatever the email, so the lockout says nothing about who is registered;
    `Retry-After` gives the seconds left."""

    status_code = 429
    code = "too_many_attempts"
    message = "Too many failed sign-in attempts. Try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class InvalidToken(ApiError):
    # One body for unknown, used, superseded and expired tokens.
    code = "invalid_token"
    message = "This link is invalid or has expired; ask for a new one."


class EmailAlreadyVerified(Conflict):
    code = "email_already_verified"
    message = "This email address is already confirmed."
