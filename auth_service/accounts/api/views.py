"""Thin adapters: decode, call one service or selector, encode."""

from __future__ import annotations

from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.errors import NotFound, error_body
from rentezy_common.gateway import role_required

from .. import selectors, services
from ..lockout import TooManyAttempts
from . import serializers as s


def _caller_id(request) -> int:
    """The caller's user id as vouched for by the gateway."""
    try:
        return int(request.user.id)
    except (TypeError, ValueError):
        raise NotFound("No such user.") from None


def _bearer_token(request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _too_many_attempts(exc: TooManyAttempts) -> Response:
    # Same body whatever the email, so the lockout says nothing about who is registered.
    return Response(
        error_body(exc.code, exc.message),
        status=exc.status_code,
        headers={"Retry-After": str(exc.retry_after)},
    )


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RegisterView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        data = _valid(s.RegisterSerializer, request.data)
        user = services.user_register(**data)
        return Response({"user": s.UserSerializer(user).data}, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        data = _valid(s.LoginSerializer, request.data)
        try:
            user, pair = services.user_login(email=data["email"], password=data["password"])
        except TooManyAttempts as exc:
            return _too_many_attempts(exc)
        return Response({**pair.as_dict(), "user": s.UserSerializer(user).data})


class RefreshView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        data = _valid(s.RefreshSerializer, request.data)
        pair = services.session_refresh(refresh_token=data["refresh"])
        return Response(pair.as_dict())


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        data = _valid(s.LogoutSerializer, request.data)
        services.session_logout(
            user_id=_caller_id(request),
            access_token=_bearer_token(request),
            refresh_token=data.get("refresh") or None,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        user = selectors.user_get(user_id=_caller_id(request))
        if user is None:
            raise NotFound("No such user.")
        return Response(s.UserSerializer(user).data)

    def patch(self, request):
        data = _valid(s.MeUpdateSerializer, request.data)
        user = services.user_update(user_id=_caller_id(request), **data)
        return Response(s.UserSerializer(user).data)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        data = _valid(s.PasswordChangeSerializer, request.data)
        try:
            pair = services.user_change_password(user_id=_caller_id(request), **data)
        except TooManyAttempts as exc:
            return _too_many_attempts(exc)
        return Response(pair.as_dict())


class IntrospectView(APIView):
    """`POST /internal/introspect`, for the gateway only: the middleware has already
    refused anything the gateway did not sign, and the gateway never routes /internal/."""

    permission_classes = [AllowAny]

    def post(self, request):
        data = _valid(s.IntrospectSerializer, request.data)
        return Response(selectors.token_introspect(token=data["token"]))


# --- admin API --------------------------------------------------------------------------


class UserPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class UserListView(ListAPIView):
    permission_classes = [role_required("admin")]
    serializer_class = s.UserSerializer
    pagination_class = UserPagination

    def get_queryset(self):
        # A plain dict, not the QueryDict: DRF reads a missing boolean in form-style
        # input as False, and "no is_active filter" must stay None.
        query = _valid(s.UserListQuerySerializer, self.request.query_params.dict())
        return selectors.user_list(**query)


def _user_or_404(user_id: int):
    user = selectors.user_get(user_id=user_id) if user_id < 2**63 else None
    if user is None:
        raise NotFound("No such user.")
    return user


class UserDetailView(APIView):
    permission_classes = [role_required("admin")]

    def get(self, request, user_id: int):
        return Response(s.UserSerializer(_user_or_404(user_id)).data)


class UserDeactivateView(APIView):
    permission_classes = [role_required("admin")]

    def post(self, request, user_id: int):
        _user_or_404(user_id)
        user = services.user_deactivate(user_id=user_id, actor_id=_caller_id(request))
        return Response(s.UserSerializer(user).data)


class UserActivateView(APIView):
    permission_classes = [role_required("admin")]

    def post(self, request, user_id: int):
        _user_or_404(user_id)
        user = services.user_activate(user_id=user_id)
        return Response(s.UserSerializer(user).data)
