"""Idempotency-Key on POST endpoints (rentezy_common.idempotency), on real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rentezy_common.idempotency import purge_expired
from rentezy_common.idempotency.models import IdempotencyKey
from rentezy_common.testing.clients import GatewayClient
from rentezy_common.testing.concurrency import run_together
from tests.testapp.models import Item

URL = "/api/idempotent-items"


def post(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers)


@pytest.fixture
def alice():
    return GatewayClient(user_id="101", role="tenant")


@pytest.mark.django_db
def test_without_a_key_every_post_runs(alice):
    assert post(alice, {"name": "a", "quantity": 1}).status_code == 201
    assert post(alice, {"name": "a", "quantity": 1}).status_code == 201
    assert Item.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_a_retry_with_the_key_gets_the_first_answer_and_changes_nothing(alice):
    first = post(alice, {"name": "a", "quantity": 1}, key="k-1")
    again = post(alice, {"name": "a", "quantity": 1}, key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Item.objects.count() == 1


@pytest.mark.django_db
def test_the_key_with_another_request_is_a_422_and_changes_nothing(alice):
    post(alice, {"name": "a", "quantity": 1}, key="k-1")
    other = post(alice, {"name": "b", "quantity": 1}, key="k-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert list(Item.objects.values_list("name", flat=True)) == ["a"]


@pytest.mark.django_db
def test_keys_belong_to_their_user(alice):
    bob = GatewayClient(user_id="102", role="tenant")
    assert post(alice, {"name": "a", "quantity": 1}, key="shared").status_code == 201
    assert post(bob, {"name": "b", "quantity": 2}, key="shared").status_code == 201
    assert sorted(Item.objects.values_list("name", flat=True)) == ["a", "b"]


@pytest.mark.django_db
def test_a_failed_request_keeps_no_key_and_no_change(alice):
    failed = post(alice, {"name": "taken", "quantity": 1}, key="k-2")
    assert failed.status_code == 409
    assert Item.objects.count() == 0  # written by the view, rolled back with the key
    assert IdempotencyKey.objects.count() == 0
    invalid = post(alice, {"name": "a", "quantity": "many"}, key="k-3")
    assert invalid.status_code == 400
    # The key is still free: the corrected request runs.
    assert post(alice, {"name": "a", "quantity": 3}, key="k-3").status_code == 201
    assert Item.objects.get().quantity == 3


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "tab\tkey"])
def test_an_unusable_key_is_a_400_naming_the_header(alice, key):
    answer = post(alice, {"name": "a", "quantity": 1}, key=key)
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()["error"]["details"]
    assert Item.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_requests_run_as_usual():
    anonymous = GatewayClient()
    assert post(anonymous, {"name": "a", "quantity": 1}, key="k").status_code == 201
    assert post(anonymous, {"name": "a", "quantity": 1}, key="k").status_code == 201
    assert Item.objects.count() == 2


@pytest.mark.django_db
def test_an_expired_key_runs_again_and_purge_deletes_only_expired_keys(alice, settings):
    settings.IDEMPOTENCY_KEY_TTL_SECONDS = 3600
    post(alice, {"name": "a", "quantity": 1}, key="old")
    post(alice, {"name": "b", "quantity": 1}, key="new")
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(seconds=3601)
    )
    again = post(alice, {"name": "c", "quantity": 1}, key="old")  # another body: fine now
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Item.objects.count() == 3
    IdempotencyKey.objects.filter(key="new").update(
        created_at=timezone.now() - timedelta(seconds=3601)
    )
    assert purge_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["old"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_run_once():
    def attempt():
        answer = post(GatewayClient(user_id="101", role="tenant"), {"name": "slow", "quantity": 7},
                      key="together")  # fmt: skip
        return answer.status_code, answer.json(), answer.get("Idempotent-Replayed")

    results = run_together([attempt] * 8)
    assert all(not isinstance(r, Exception) for r in results), results
    assert {(code, body["id"]) for code, body, _ in results} == {(201, Item.objects.get().id)}
    assert sorted(r[2] or "" for r in results) == [""] + ["true"] * 7
