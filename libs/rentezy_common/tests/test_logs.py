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
