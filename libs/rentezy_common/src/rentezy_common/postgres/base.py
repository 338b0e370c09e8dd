"""Django's PostgreSQL backend, with the per-request health check done without a query.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django checks a
reused connection at the start of each request by running `SELECT 1`: a round trip to
PostgreSQL on every request, a tenth to a fifth of a small signed GET's CPU in the
service (plus the backend's own) on the profiles of bench/profiles.

What that check is for is a connection the server has dropped (PostgreSQL restarted, a
backend terminated, an idle timeout): the server then writes its FATAL message and
closes the socket, so an idle connection's socket becomes readable (or hung up). Here
the check asks the kernel instead of the server: a zero-timeout poll of the socket, plus
psycopg's own state (closed, broken, not idle). Anything readable on an idle connection
between requests is unexpected, and the connection is closed and replaced on first use,
as Django does after a failed `SELECT 1`.

What the poll cannot see is a peer that vanished without a FIN (a network partition);
`SELECT 1` would block on it as long as the query that follows, so the request fails
either way, and Django closes the connection at the end of that request
(`close_if_unusable_or_obsolete`, which still runs the real `is_usable()`). The explicit
`is_usable()` used elsewhere (consumers deciding whether the database was lost) is
Django's, unchanged.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper

_BAD = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


class DatabaseWrapper(PostgresDatabaseWrapper):
    def socket_looks_usable(self) -> bool:
        """The connection is open, idle, and its socket has nothing pending: no FATAL
        message, end of stream or error from the server. No round trip."""
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        from psycopg import pq

        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(conn.pgconn.socket, _BAD)
            return not poller.poll(0)
        except (OSError, ValueError):  # the socket is gone
            return False

    def close_if_health_check_failed(self) -> None:
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return
        if not self.socket_looks_usable():
            self.close()
        self.health_check_done = True
