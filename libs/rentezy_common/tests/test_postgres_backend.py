"""The per-request health check asks the socket, not the server: a healthy connection
is kept without a query, one the server dropped is replaced before it is used."""

import time

import pytest
from django.db import connection

from rentezy_common.postgres.base import DatabaseWrapper

pytestmark = pytest.mark.django_db


def new_request(wrapper: DatabaseWrapper) -> None:
    """What Django does for the connection when a request starts."""
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()


def backend_pid(wrapper: DatabaseWrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def wrapper():
    settings = {**connection.settings_dict, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    wrapper = DatabaseWrapper(settings, alias="health-probe")
    yield wrapper
    wrapper.close()


def test_a_healthy_connection_is_kept_without_a_round_trip(wrapper):
    pid = backend_pid(wrapper)
    socket = wrapper.connection.pgconn.socket
    new_request(wrapper)
    assert wrapper.connection is not None
    assert wrapper.connection.pgconn.socket == socket
    assert backend_pid(wrapper) == pid


def test_a_connection_the_server_dropped_is_replaced_at_the_next_request(wrapper):
    pid = backend_pid(wrapper)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
    new_request(wrapper)
    assert wrapper.connection is None  # closed by the check, not by a failed query
    assert backend_pid(wrapper) != pid  # and the request's first query reconnects


def test_a_connection_left_inside_a_transaction_is_not_trusted(wrapper):
    wrapper.ensure_connection()
    wrapper.connection.execute("BEGIN")  # left over: the check must not hand it on
    new_request(wrapper)
    assert wrapper.connection is None
