"""The OpenAPI parts every paying service shares: the operation of its Stripe webhook (a
plain Django view, it verifies the raw body, that drf-spectacular does not see: added by
a postprocessing hook of the service; fuzzing leaves it out, tests/contract), and the
simulator's answer (docs/architecture/api.md)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..openapi import ERROR_REF, security


class SimulatedEventSchema(serializers.Serializer):
    """The Stripe event the payment simulator delivered (its answer's `event`)."""

    id = serializers.CharField()
    type = serializers.CharField()

    class Meta:
        ref_name = "SimulatedEvent"


class SimulatedWebhookAnswerSchema(serializers.Serializer):
    """What the webhook answered the simulator (its answer's `webhook`)."""

    status = serializers.IntegerField()
    response = serializers.JSONField(allow_null=True)

    class Meta:
        ref_name = "SimulatedWebhookAnswer"


ERRORS = (
    ("400", "`invalid_signature`, `invalid_event`."),
    ("401", "An invalid bearer token sent anyway (`invalid_token`)."),
    ("405", "Not a POST."),
    ("413", "Over the gateway's body limit (`payload_too_large`)."),
    ("429", "Too many requests (`rate_limited`)."),
    ("503", "`database_unavailable`: Stripe retries."),
)


def stripe_webhook_operation(*, operation_id: str, tag: str, description: str) -> dict[str, Any]:
    """The path item of `POST <service>/stripe/webhook/`."""
    return {
        "post": {
            "operationId": operation_id,
            "summary": "Stripe's events (Stripe signs them; no bearer token)",
            "description": description,
            "tags": [tag],
            "security": security(required=False)[:1],
            "parameters": [
                {
                    "in": "header",
                    "name": "Stripe-Signature",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "description": "A Stripe event object.",
                            "required": ["id", "type", "data"],
                            "properties": {
                                "id": {"type": "string"},
                                "type": {"type": "string"},
                                "data": {"type": "object"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "Handled (or a duplicate, or ignored).",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["received", "result"],
                                "properties": {
                                    "received": {"type": "boolean"},
                                    "result": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                **{
                    status: {
                        "description": text,
                        "content": {"application/json": {"schema": ERROR_REF}},
                    }
                    for status, text in ERRORS
                },
            },
        }
    }
