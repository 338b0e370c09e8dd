"""Request context (the request id for logs, one JSON access-log line per request) and
the platform's error shape for every error answer."""

from __future__ import annotations

import logging
import time

from django.conf import settings

from .errors import error_response
from .gateway import HEADER_REQUEST_ID
from .hybrid import HybridMiddleware
from .logs import clean_request_id, redact, reset_request_id, set_request_id

access_log = logging.getLogger("rentezy.access")

# Probes hit these every few seconds; logging them at INFO would drown everything else.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestContextMiddleware(HybridMiddleware):
    def _start(self, request):
        request_id = clean_request_id(request.headers.get(HEADER_REQUEST_ID))
        request.request_id = request_id
        return set_request_id(request_id), time.perf_counter()

    def _finish(self, request, response, started: float) -> None:
        response[HEADER_REQUEST_ID] = request.request_id
        identity = getattr(request, "identity", None)
        level = logging.DEBUG if request.path in _QUIET_PATHS else logging.INFO
        path = redact(request.path)  # a feed's token never reaches the log
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": getattr(identity, "user_id", None),
            },
        )

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        token, started = self._start(request)
        try:
            response = self.get_response(request)
            self._finish(request, response, started)
            return response
        finally:
            reset_request_id(token)

    async def __acall__(self, request):
        token, started = self._start(request)
        try:
            response = await self.get_response(request)
            self._finish(request, response, started)
            return response
        finally:
            reset_request_id(token)


# Machine-readable codes for the statuses Django, DRF or a decorator may answer with on
# their own (a `require_POST` 405, Django's 404 page, a 413 from the upload limits).
STATUS_CODES = {
    400: ("bad_request", "The request is malformed."),
    401: ("not_authenticated", "Authentication credentials were not provided or are invalid."),
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "No such resource."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "The requested representation is not available."),
    408: ("request_timeout", "The request took too long."),
    409: ("conflict", "The request conflicts with the current state."),
    410: ("gone", "This resource is gone."),
    411: ("length_required", "A Content-Length is required."),
    413: ("payload_too_large", "The request body is too large."),
    414: ("uri_too_long", "The request target is too long."),
    415: ("unsupported_media_type", "This media type is not supported."),
    429: ("rate_limited", "Too many requests."),
    431: ("headers_too_large", "The request headers are too large."),
    500: ("internal_error", "Something went wrong on our side."),
    502: ("bad_gateway", "An upstream failed."),
    503: ("unavailable", "The service cannot serve this request right now."),
}
# Answer headers worth keeping when a body is replaced.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID")


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.startswith("application/json") or "+json" in content_type


class JsonErrorsMiddleware(HybridMiddleware):
    """Every error answer in the platform's shape: whatever answered with a 4xx/5xx that
    is not JSON (Django's HTML 404 and debug pages, `require_POST`'s empty 405, a
    middleware's plain-text refusal) is replaced by `{"error": {...}}` with the same
    status. Paths a service serves to people (GATEWAY_EXEMPT_PREFIXES, e.g. the Django
    admin) keep their HTML."""

    def _shape(self, request, response):
        if response.status_code < 400 or _is_json(response) or response.streaming:
            return response
        prefixes = tuple(getattr(settings, "GATEWAY_EXEMPT_PREFIXES", ()))
        if prefixes and request.path.startswith(prefixes):
            return response
        code, message = STATUS_CODES.get(
            response.status_code,
            ("client_error", "The request failed.")
            if response.status_code < 500
            else ("server_error", "The server failed."),
        )
        shaped = error_response(response.status_code, code, message)
        for name in _KEPT_HEADERS:
            if name in response:
                shaped[name] = response[name]
        return shaped

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        return self._shape(request, self.get_response(request))

    async def __acall__(self, request):
        return self._shape(request, await self.get_response(request))
