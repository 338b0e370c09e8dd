"""The property domain's errors: each becomes its 4xx in the platform's error shape
(rentezy_common.errors renders them). An illegal status change is the library's
`IllegalTransition` (409 `illegal_transition`, properties.states)."""

from __future__ import annotations

from rentezy_common.errors import ApiError, Conflict


class NotPublishable(Conflict):
    code = "not_publishable"
    message = "A published property needs a location, a monthly price and at least one room."


class LimitReached(Conflict):
    """A per-property limit (PROPERTY_ROOM_MAX_COUNT, PROPERTY_PHOTO_MAX_COUNT); the code
    names which (`too_many_rooms`, `too_many_photos`)."""

    code = "limit_reached"


class Forbidden(ApiError):
    status_code = 403
    code = "permission_denied"
    message = "Only the property's owner or an admin may change it."


class UnsupportedMediaType(ApiError):
    status_code = 415
    code = "unsupported_media_type"
    message = "The file is not a JPEG, PNG or WebP image."


class PhotoTooLarge(ApiError):
    status_code = 413
    code = "photo_too_large"
    message = "The photo is too large."
