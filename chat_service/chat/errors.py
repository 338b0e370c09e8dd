"""chat_service's domain errors: each a 4xx with its own code in the platform's error
shape (rentezy_common.errors). The WebSocket answers the same codes in its error frames."""

from __future__ import annotations

from rentezy_common.errors import ApiError, Conflict, NotFound


class Forbidden(ApiError):
    status_code = 403
    code = "permission_denied"
    message = "You may not do this."


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    message = "No such conversation."


class MessageNotFound(NotFound):
    code = "message_not_found"
    message = "No such message."


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    message = "No such attachment."


class PropertyNotFound(NotFound):
    code = "property_not_found"
    message = "No such published property."


class ReportNotFound(NotFound):
    code = "report_not_found"
    message = "No such report."


class NoRelation(Forbidden):
    code = "no_relation"
    message = "A landlord may write first only to a tenant with a booking or a visit with them."


class CannotStart(Forbidden):
    code = "cannot_start"
    message = "This conversation cannot be started."


class Blocked(Forbidden):
    code = "blocked"
    message = "Messages between you and this user are blocked."


class ReadOnly(Forbidden):
    code = "read_only"
    message = "Admins read conversations; they do not write in them."


class EditWindowClosed(Conflict):
    code = "edit_window_closed"
    message = "A message can be edited or deleted only by its author within 15 minutes."


class MessageDeleted(Conflict):
    code = "message_deleted"
    message = "The message was deleted."


class AttachmentInUse(Conflict):
    code = "attachment_in_use"
    message = "This attachment was already sent."


class InvalidMessage(ApiError):
    code = "invalid"
    message = "The message is invalid."


class UnsupportedMediaType(ApiError):
    status_code = 415
    code = "unsupported_media_type"
    message = "Attachments are JPEG, PNG, GIF or WebP images, or PDF documents."


class AttachmentTooLarge(ApiError):
    status_code = 413
    code = "payload_too_large"
    message = "The attachment is too large."


class RateLimited(ApiError):
    status_code = 429
    code = "rate_limited"
    message = "Too many messages; wait a moment."

    def __init__(self, retry_after: int, **kwargs) -> None:
        super().__init__(details={"retry_after": retry_after}, **kwargs)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
