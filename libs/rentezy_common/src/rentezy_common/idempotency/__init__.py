"""`Idempotency-Key` for POST endpoints, the way Stripe's API has it.

    class PropertyListView(APIView):
        @idempotent
        def post(self, request): ...

A client sends `Idempotency-Key: <any unique string>` with a POST; a retry with the same
key and the same request gets the first answer again (status and body, with
`Idempotent-Replayed: true`) and changes nothing. The same key with another request
(method, path or body) is a 422 `idempotency_key_reused`. Keys belong to the user who
sent them (the gateway's identity); anonymous requests and requests without the header
run as usual. Keys expire after IDEMPOTENCY_KEY_TTL_SECONDS (default 24 h, as Stripe's):
then the key is free again.

The key row is inserted in the same transaction as the view's changes, and its unique
index is the lock: a concurrent request with the same key waits on it, then replays the
committed answer (or, if the first one failed and rolled back, runs itself). A view that
raises (4xx) rolls back with its key, so a retry runs again and gets the same error.
Only answers below 500 are stored.

Views with work outside their transaction that must happen exactly once (a payment
provider call after commit) keep a key of their own: booking_service's holds do.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from rentezy_common.errors import ApiError
from rentezy_common.retention import delete_older_than

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
REPLAYED_HEADERS = ("Location",)  # answer headers stored and replayed with the body
MAX_KEY_LENGTH = 255
DEFAULT_TTL_SECONDS = 24 * 3600


class IdempotencyKeyReused(ApiError):
    status_code = 422
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was used for another request."


def key_from(request) -> str | None:
    """The request's Idempotency-Key, None without one; 400 for an unusable one."""
    key = request.META.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError({"Idempotency-Key": [f"1 to {MAX_KEY_LENGTH} printable characters."]})
    return key


def ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_KEY_TTL_SECONDS", DEFAULT_TTL_SECONDS))


def _fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    try:
        digest.update(request.body)
    except RawPostDataException:  # something parsed the stream first: hash what it read
        digest.update(json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder).encode())
    return digest.hexdigest()


def idempotent(view_method):
    """Decorate a DRF view's `post` (see the module's text)."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = key_from(request)
        user_id = getattr(request.user, "id", None)
        if key is None or not user_id:
            return view_method(view, request, *args, **kwargs)
        from .models import IdempotencyKey

        fingerprint = _fingerprint(request)
        table = IdempotencyKey._meta.db_table
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Waits here while another transaction holds the same key.
                cursor.execute(
                    f"INSERT INTO {table} (user_id, key, method, path, fingerprint, headers, "
                    "created_at) VALUES (%s, %s, %s, %s, %s, '{}', now()) "
                    "ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
                    [user_id, key, request.method, request.path[:2000], fingerprint],
                )
                inserted = cursor.fetchone()
            if inserted is None:
                stored = IdempotencyKey.objects.select_for_update().get(user_id=user_id, key=key)
                if stored.created_at >= timezone.now() - ttl():
                    if stored.fingerprint != fingerprint:
                        raise IdempotencyKeyReused(details={"key": key})
                    return Response(
                        stored.body,
                        status=stored.status_code,
                        headers={**stored.headers, REPLAYED_HEADER: "true"},
                    )
                # Expired: the key starts over for this request.
                IdempotencyKey.objects.filter(pk=stored.pk).update(
                    method=request.method, path=request.path[:2000], fingerprint=fingerprint,
                    status_code=None, body=None, headers={}, created_at=timezone.now(),
                )  # fmt: skip
            response = view_method(view, request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
            headers = {name: response[name] for name in REPLAYED_HEADERS if name in response}
            IdempotencyKey.objects.filter(user_id=user_id, key=key).update(
                status_code=response.status_code, body=body, headers=headers
            )
        return response

    return wrapper


def purge_expired(limit: int = 5000) -> int:
    """Delete expired keys, at most `limit` at a time (the outbox relay calls this every
    10 minutes in every service; an expired key is ignored even before it is purged)."""
    from .models import IdempotencyKey

    return delete_older_than(
        IdempotencyKey._meta.db_table, "created_at", ttl(), batch=limit, limit=limit
    )
