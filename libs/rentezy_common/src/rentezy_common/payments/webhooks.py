"""A service's Stripe webhook endpoint, the same everywhere: verify the signature on the
raw body, hand the event to the service's handler (which records the event id in the
transaction of its effects, so a redelivery acts once), answer 200 with what happened.
A database outage is a 503: Stripe retries non-2xx answers for three days.

    stripe_webhook = stripe_webhook_view(stripe_event_handle)   # in the app's webhooks.py
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..errors import error_response
from . import InvalidEvent, InvalidSignature, construct_event

logger = logging.getLogger(__name__)


def stripe_webhook_view(handle: Callable[[dict], str]):
    """The Django view for `POST .../stripe/webhook/` calling `handle(event) -> result`."""

    @csrf_exempt
    @require_POST
    def stripe_webhook(request):
        try:
            event = construct_event(request.body, request.headers.get("Stripe-Signature"))
        except InvalidSignature as exc:
            logger.warning("stripe webhook refused", extra={"error": str(exc)})
            return error_response(400, "invalid_signature", "The Stripe signature does not verify.")
        except InvalidEvent as exc:
            logger.warning("stripe webhook unreadable", extra={"error": str(exc)})
            return error_response(400, "invalid_event", "Not a Stripe event.")
        try:
            result = handle(event)
        except OperationalError:
            return error_response(503, "database_unavailable", "Try again later.")
        logger.info("stripe event", extra={"event_id": event["id"], "type": event["type"],
                                           "result": result})  # fmt: skip
        return JsonResponse({"received": True, "result": result})

    return stripe_webhook
