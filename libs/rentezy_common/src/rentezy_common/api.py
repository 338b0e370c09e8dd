"""Small helpers for DRF views, so every view decodes input the same way.

    data = validated(PropertyCreateSerializer, request.data)
    params = validated_query(SearchParamsSerializer, request.query_params)

A view decodes (these), calls one service or selector, and encodes (a representation);
it does not check roles, query or map errors itself (docs/architecture/layout.md).
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError


def validated(serializer_class, data, *, partial: bool = False, **kwargs) -> dict[str, Any]:
    """The validated data of a request body, or a 400 `invalid` naming the fields."""
    serializer = serializer_class(data=data, partial=partial, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class InvalidParameter(ApiError):
    code = "invalid_parameter"
    message = "Invalid query parameters."


def validated_query(serializer_class, params, **kwargs) -> dict[str, Any]:
    """The validated query parameters, or a 400 `invalid_parameter` naming them."""
    serializer = serializer_class(data=params, **kwargs)
    if not serializer.is_valid():
        raise InvalidParameter(details=serializer.errors)
    return serializer.validated_data
