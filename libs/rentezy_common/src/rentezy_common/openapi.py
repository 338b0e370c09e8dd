"""The OpenAPI 3.1 document of a service, generated from its views (drf-spectacular).

Every service with an API has one (docs/architecture/api.md). The shared parts live
here, so a service only describes what is its own:

- `rentezy_common.conf.openapi_settings(service)`: `SPECTACULAR_SETTINGS` (OpenAPI
  3.1, the title); `platform_settings` sets it, with `PlatformAutoSchema` as DRF's
  schema class, for every service that has an API (it lives in `conf` because this
  module imports DRF, which must not be imported while settings load);
- `PlatformAutoSchema`: adds the platform's error responses (the `Error` shape,
  `{"error": {"code", "message", "details"}}`) to every operation, for the statuses the
  platform answers everywhere (400, 401, 429, 503) and those that follow from the
  operation (403 when it needs a caller, 404 when its path has parameters, 413 and 415
  when it takes a body); a view adds its own with `errors(409, ...)`;
- the security of each operation from its permissions: `bearerAuth` required, or
  optional (`[{}, {"bearerAuth": []}]`) where the view allows anyone;
- `SchemaView`: the document at `GET /internal/openapi.json`
  (`rentezy_common.urls.platform_urlpatterns`), signed by the gateway like every
  internal path; the gateway merges the documents into the public one.

A view annotates itself with `extend_schema` and schema-only serializers from its
app's `api/schema.py`; the view's code does not change.
"""

from __future__ import annotations

import functools
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

SECURITY_SCHEME = "bearerAuth"
ERROR_COMPONENT = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error of the platform, from a service or from the gateway.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Machine-readable, snake_case (`invalid`, `not_found`, "
                    "`sold_out`, `rate_limited`, ...).",
                },
                "message": {"type": "string", "description": "For people."},
                "details": {
                    "description": "What the code needs: per-field messages for `invalid`, "
                    "limits, allowed states; null when there is nothing to add."
                },
            },
        }
    },
}

ERROR_DESCRIPTIONS = {
    400: "The request is malformed or invalid (`invalid` with per-field details, "
    "`invalid_parameter`, `parse_error`, `bad_request`).",
    401: "No valid caller: no or an invalid bearer token (`authentication_required`, "
    "`invalid_token`, `not_authenticated`).",
    403: "The caller may not do this (`permission_denied`).",
    404: "No such resource, or not one the caller may see, or a page past the end (`not_found`).",
    409: "The request conflicts with the current state (`illegal_transition`, ...).",
    413: "The request body is too large (`payload_too_large`).",
    415: "The body's media type is not accepted (`unsupported_media_type`).",
    422: "The Idempotency-Key was used for another request (`idempotency_key_reused`).",
    429: "Too many requests (`rate_limited`, `too_many_attempts`); see `Retry-After`.",
    503: "A dependency is unavailable (`auth_unavailable`, `upstream_unavailable`, ...); "
    "see `Retry-After`.",
}
ALWAYS = (400, 401, 429, 503)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key and body gets the first answer "
    "(`Idempotent-Replayed: true`); the same key with another body is 422 "
    "(docs/architecture/foundation.md).",
)


def errors(*statuses: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """Error responses for `extend_schema(responses={200: X, **errors(404, 409)})`;
    `descriptions` replace the default text by status (`_409="sold_out, ..."`)."""
    return {
        status: OpenApiResponse(
            ERROR_REF, description=descriptions.get(f"_{status}", ERROR_DESCRIPTIONS[status])
        )
        for status in statuses
    }


def error_response(description: str) -> OpenApiResponse:
    """One documented error with its own text."""
    return OpenApiResponse(ERROR_REF, description=description)


def security(*, required: bool) -> list[dict[str, list]]:
    """An operation's security: a bearer token required, or optional (`{}`: a token, if
    sent, is validated and identifies the caller)."""
    return [{SECURITY_SCHEME: []}] if required else [{}, {SECURITY_SCHEME: []}]


class GatewayBearer(OpenApiAuthenticationExtension):
    """The caller's `Authorization: Bearer <access token>`, checked by the gateway; the
    service sees the identity the gateway signed (rentezy_common.gateway)."""

    target_class = "rentezy_common.gateway.GatewayAuthentication"
    name = SECURITY_SCHEME

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The access token of `POST /api/auth/login` (15 minutes; "
            "`POST /api/auth/refresh` for a new one). Validated by the gateway.",
        }


class PlatformAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the platform's errors and security."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        registry.register_on_missing(
            ResolvedComponent(
                name=ERROR_COMPONENT,
                type=ResolvedComponent.SCHEMA,
                object=ERROR_COMPONENT,
                schema=ERROR_SCHEMA,
            )
        )
        needs_caller = {} not in operation.get("security", [{}])
        statuses = set(ALWAYS)
        if needs_caller:
            statuses.add(403)
        if "{" in path:
            statuses.add(404)
        if self.method == "GET" and self._is_list_view() and self._get_paginator():
            statuses.add(404)  # a page past the end (DRF's page-number pagination)
        if self.method in BODY_METHODS:
            statuses |= {413, 415}
        responses = operation["responses"]
        for status in sorted(statuses):
            responses.setdefault(
                str(status),
                {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": ERROR_REF}},
                },
            )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # A field that allows blank is `oneOf: [string with the pattern, empty string]`;
        # its default ("") belongs beside the oneOf, not in the branch it cannot match.
        for branch in schema.get("oneOf", ()):
            if "pattern" in branch and "default" in branch:
                schema["default"] = branch.pop("default")

    def get_auth(self):
        auths = super().get_auth()  # [{bearerAuth: []}] (+ {} when anyone may call)
        if {} in auths:
            return security(required=False)
        return auths


@functools.cache
def service_schema() -> dict[str, Any]:
    """The service's document, generated once per process (views do not change while
    it runs)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


class SchemaView(APIView):
    """`GET /internal/openapi.json`: the service's own document. Internal like
    auth's introspection: the gateway signs its request, the platform middleware refuses
    anyone else, and the gateway never routes /internal/."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(service_schema())
