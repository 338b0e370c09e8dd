"""Two refreshes with the same token at the same moment: they serialize on the token's
row; without a grace period exactly one may win, with one both keep the session."""

import threading
import time

import pytest
from accounts.models import RefreshToken, UserSession
from accounts.tokens import refresh_token_hash
from django.db import connection, connections, transaction

from rentezy_common.testing.clients import GatewayClient


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps serving its first snapshot of the view.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _refresh_twice_at_once(refresh: str) -> list[int]:
    results: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            response = GatewayClient().post(
                "/api/auth/refresh", {"refresh": refresh}, format="json"
            )
            results.append(response.status_code)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    # Hold the token row so that both requests reach the database and read it before
    # either can change it: without row locking in the service both would then succeed.
    with transaction.atomic():
        RefreshToken.objects.select_for_update().get(token_hash=refresh_token_hash(refresh))
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _waiting_on_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_on_locks() == 2, "both refreshes should be queued on the row"
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_with_one_token_let_exactly_one_succeed(user, login, settings):
    settings.AUTH_REFRESH_REUSE_GRACE_SECONDS = 0
    assert _refresh_twice_at_once(login(user.email).json()["refresh"]) == [200, 401]
    assert UserSession.objects.get().revoke_reason == "reuse_detected"


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_within_the_grace_period_both_keep_the_session(user, login, settings):
    settings.AUTH_REFRESH_REUSE_GRACE_SECONDS = 10
    assert _refresh_twice_at_once(login(user.email).json()["refresh"]) == [200, 200]
    session = UserSession.objects.get()
    assert session.revoked_at is None
    # One spent token, two live successors.
    assert RefreshToken.objects.filter(session=session, used_at=None).count() == 2
