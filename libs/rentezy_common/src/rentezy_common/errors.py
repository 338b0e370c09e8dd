"""The one error shape of every service: `{"error": {"code", "message", "details"}}`.

`exception_handler` is DRF's EXCEPTION_HANDLER for all services; `handler400/403/404/500`
give Django-level errors (unknown URL, bad Host header, crashes) the same JSON shape, and
middleware answers with `error_response`. Bad input must always end as a 4xx: DRF
validation and parse errors, Django's ValidationError, a database DataError raised by
out-of-range input, and domain errors raised as `ApiError` subclasses.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A domain error that becomes a 4xx with the platform's error shape.

    Subclass with a `status_code` and a `code` (machine-readable, snake_case), e.g.
    `class SoldOut(Conflict): code = "sold_out"`.
    """

    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."
    # Response headers the error needs (e.g. Retry-After on a 429); None for none.
    headers: dict[str, str] | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        status_code: int | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.message)


class NotFound(ApiError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(ApiError):
    status_code = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class IllegalTransition(Conflict):
    """A state machine refused a change (a `states.py` table said no): 409 with the
    current status and the target in `details`. One code for every aggregate."""

    code = "illegal_transition"
    message = "This change is not allowed from the current state."


class Unauthorized(ApiError):
    status_code = 401
    code = "not_authenticated"
    message = "Authentication credentials were not provided or are invalid."


class ServiceUnavailable(ApiError):
    status_code = 503
    code = "unavailable"
    message = "The service cannot serve this request right now."


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    response = JsonResponse(error_body(code, message, details), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _first_code(codes: Any, default: str) -> str:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, list) and codes:
        return _first_code(codes[0], default)
    return default


def _drf_error(exc: drf.APIException) -> tuple[str, str, Any]:
    if isinstance(exc, drf.ValidationError):
        return "invalid", "The request is invalid.", exc.detail
    code = _first_code(exc.get_codes(), exc.default_code)
    detail = exc.detail
    if isinstance(detail, str):
        return code, str(detail), None
    return code, str(exc.default_detail), detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF EXCEPTION_HANDLER: every known error to the platform's shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        return Response(
            error_body(exc.code, exc.message, exc.details),
            status=exc.status_code,
            headers=exc.headers,
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response(error_body("invalid", "The request is invalid.", details), status=400)
    elif isinstance(exc, DataError):
        # PostgreSQL rejected a value (out of range, too long) that validation let
        # through: the input is at fault, and the transaction was rolled back.
        logger.warning("database rejected input: %s", exc)
        return Response(
            error_body("invalid", "A value is out of range or malformed.", None), status=400
        )
    if not isinstance(exc, drf.APIException):
        return None  # a bug: Django turns it into a 500 through handler500

    # APIView.handle_exception sets auth_header (401) or turns the error into a 403.
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if isinstance(exc, drf.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)

    code, message, details = _drf_error(exc)
    return Response(error_body(code, message, details), status=exc.status_code, headers=headers)


# Django-level handlers: set in every service's root URLconf.
def handler400(request, exception=None):
    return error_response(400, "bad_request", "The request is malformed.")


def handler403(request, exception=None):
    return error_response(403, "permission_denied", "You may not do this.")


def handler404(request, exception=None):
    return error_response(404, "not_found", "No such resource.")


def handler500(request):
    return error_response(500, "internal_error", "Something went wrong on our side.")
