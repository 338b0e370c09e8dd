"""notification_service's domain errors, in the platform's error shape
(rentezy_common.errors)."""

from __future__ import annotations

from rentezy_common.errors import ApiError, NotFound


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = "No such notification."


class InvalidPreferences(ApiError):
    code = "invalid_preferences"
    message = "The preferences are malformed."


class LockedPreference(ApiError):
    code = "locked_preference"
    message = "Security messages cannot be turned off."


class InvalidToken(ApiError):
    code = "invalid_token"
    message = "This link is invalid or has expired."


class InvalidCursor(ApiError):
    code = "invalid_parameter"
    message = "The cursor is malformed."
