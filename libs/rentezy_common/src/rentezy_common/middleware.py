"""Request context: the request id for logs, and one JSON access-log line per request."""

from __future__ import annotations

import logging
import time

from .gateway import HEADER_REQUEST_ID
from .hybrid import HybridMiddleware
from .logs import clean_request_id, reset_request_id, set_request_id

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
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
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
