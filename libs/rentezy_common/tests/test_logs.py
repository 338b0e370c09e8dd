"""Structured JSON logs carry the request id."""

import json
import logging

import pytest

from rentezy_common.logs import JsonFormatter
from rentezy_common.testing.clients import GatewayClient


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter(service="libtest"))
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.mark.django_db
def test_access_log_is_json_with_request_id():
    capture = Capture()
    logger = logging.getLogger("rentezy.access")
    logger.addHandler(capture)
    try:
        client = GatewayClient(user_id="7", role="tenant")
        client.get("/api/whoami")
    finally:
        logger.removeHandler(capture)
    [line] = capture.lines
    assert line["request_id"] == client.last_signed_headers["X-Request-ID"]
    assert line["service"] == "libtest"
    assert line["status"] == 200
    assert line["path"] == "/api/whoami"
    assert line["user_id"] == "7"


def test_unsafe_request_id_is_replaced():
    from rentezy_common.logs import clean_request_id

    assert clean_request_id("abc-123") == "abc-123"
    assert clean_request_id("evil\ninjected") != "evil\ninjected"
    assert len(clean_request_id("x" * 500)) == 32


# --- secret path segments (settings.LOG_REDACTED_PATHS) -----------------------------------


def test_path_redactor_masks_the_secret_segment_only():
    from rentezy_common.logs import path_redactor

    redact = path_redactor(["/api/visits/feeds/{secret}", "/api/share/{secret}/file"])
    assert redact("/api/visits/feeds/Abc_-123.ics") == "/api/visits/feeds/[redacted]"
    assert redact("GET /api/visits/feeds/t0k3n.ics 200") == "GET /api/visits/feeds/[redacted] 200"
    assert redact("/api/share/s3cret/file") == "/api/share/[redacted]/file"
    assert redact("/api/share/s3cret/other") == "/api/share/s3cret/other"  # not the pattern
    assert redact("/api/visits/requests/1/") == "/api/visits/requests/1/"
    with pytest.raises(ValueError):
        path_redactor(["/api/no/secret"])
    assert path_redactor([])("/api/visits/feeds/x") == "/api/visits/feeds/x"


@pytest.mark.django_db
def test_secret_segments_never_reach_the_access_log(settings):
    settings.LOG_REDACTED_PATHS = ["/api/whoami/{secret}"]
    capture = Capture()
    logger = logging.getLogger("rentezy.access")
    logger.addHandler(capture)
    try:
        GatewayClient().get("/api/whoami/feed-token-123")
    finally:
        logger.removeHandler(capture)
    [line] = capture.lines
    assert line["path"] == "/api/whoami/[redacted]"
    assert "feed-token-123" not in json.dumps(line)
    other = logging.makeLogRecord(
        {"msg": "Internal Server Error: %s", "args": ("/api/whoami/feed-token-123",),
         "levelname": "ERROR", "path": "/api/whoami/feed-token-123"}
    )  # fmt: skip
    formatted = JsonFormatter(service="libtest").format(other)
    assert "feed-token-123" not in formatted and "[redacted]" in formatted
