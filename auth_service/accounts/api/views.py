"""Thin adapters: decode, call one service or selector, encode.

Domain errors (accounts.errors) are rendered by the platform's exception handler,
including the lockout's 429 with its Retry-After."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.api import validated
from rentezy_common.gateway import role_required
from rentezy_common.openapi import errors

from .. import selectors, services
from ..errors import NoSuchUser
from ..representation import token_pair_representation, user_representation
from . import schema as doc
from . import serializers as s


def _caller_id(request) -> int:
    """The caller's user id as vouched for by the gateway."""
    try:
        return int(request.user.id)
    except (TypeError, ValueError):
        raise NoSuchUser() from None


def _client_ip(request) -> str:
    """The caller's address: the gateway replaces X-Forwarded-For with the one it saw
    (only signed requests from the gateway reach a view)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", ""))[:64]


def _bearer_token(request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


class RegisterView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Register a tenant or landlord",
        request=s.RegisterSerializer,
        responses={201: doc.RegisteredSchema, **errors(409, _409="`email_taken`.")},
        examples=[doc.REGISTER_EXAMPLE],
    )
    def post(self, request):
        data = validated(s.RegisterSerializer, request.data)
        user = services.user_register(**data)
        return Response({"user": user_representation(user)}, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Sign in: an access and a refresh token",
        request=s.LoginSerializer,
        responses={200: doc.LoginSchema},
        examples=doc.LOGIN_EXAMPLES,
    )
    def post(self, request):
        data = validated(s.LoginSerializer, request.data)
        user, pair = services.user_login(
            email=data["email"],
            password=data["password"],
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            client_ip=_client_ip(request),
        )
        return Response({**token_pair_representation(pair), "user": user_representation(user)})


class RefreshView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A new token pair for a refresh token (rotated)",
        request=s.RefreshSerializer,
        responses={200: doc.TokenPairSchema},
    )
    def post(self, request):
        data = validated(s.RefreshSerializer, request.data)
        pair = services.session_refresh(refresh_token=data["refresh"])
        return Response(token_pair_representation(pair))


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="End the caller's session",
        request=s.LogoutSerializer,
        responses={204: None},
    )
    def post(self, request):
        data = validated(s.LogoutSerializer, request.data)
        services.session_logout(
            user_id=_caller_id(request),
            access_token=_bearer_token(request),
            refresh_token=data.get("refresh") or None,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The caller", responses={200: doc.UserSchema, **errors(404)})
    def get(self, request):
        return Response(user_representation(selectors.user_get(user_id=_caller_id(request))))

    @extend_schema(
        summary="Change the caller's name or phone",
        request=s.MeUpdateSerializer,
        responses={200: doc.UserSchema, **errors(404)},
    )
    def patch(self, request):
        data = validated(s.MeUpdateSerializer, request.data)
        user = services.user_update(user_id=_caller_id(request), **data)
        return Response(user_representation(user))


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Change the caller's password (every session ends; a new pair for this one)",
        request=s.PasswordChangeSerializer,
        responses={200: doc.TokenPairSchema, **errors(404)},
    )
    def post(self, request):
        data = validated(s.PasswordChangeSerializer, request.data)
        pair = services.user_change_password(user_id=_caller_id(request), **data)
        return Response(token_pair_representation(pair))


class IntrospectView(APIView):
    """`POST /internal/introspect`, for the gateway only: the middleware has already
    refused anything the gateway did not sign, and the gateway never routes /internal/."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Introspect an access token (the gateway only)",
        request=s.IntrospectSerializer,
        responses={200: doc.IntrospectionSchema},
    )
    def post(self, request):
        data = validated(s.IntrospectSerializer, request.data)
        return Response(selectors.token_introspect(token=data["token"]))


# --- admin API --------------------------------------------------------------------------


class UserPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class UserListView(ListAPIView):
    permission_classes = [role_required("admin")]
    pagination_class = UserPagination

    def get_queryset(self):
        # A plain dict, not the QueryDict: DRF reads a missing boolean in form-style
        # input as False, and "no is_active filter" must stay None.
        query = validated(s.UserListQuerySerializer, self.request.query_params.dict())
        return selectors.user_list(**query)

    @extend_schema(
        summary="Users (admins)",
        parameters=[s.UserListQuerySerializer],
        responses={200: doc.UserSchema(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([user_representation(user) for user in page])


class UserDetailView(APIView):
    permission_classes = [role_required("admin")]

    @extend_schema(summary="A user (admins)", responses={200: doc.UserSchema})
    def get(self, request, user_id: int):
        return Response(user_representation(selectors.user_get(user_id=user_id)))


class UserDeactivateView(APIView):
    permission_classes = [role_required("admin")]

    @extend_schema(
        summary="Deactivate a user (admins): every session ends",
        request=None,
        responses={200: doc.UserSchema, **errors(409, _409="`cannot_deactivate_self`.")},
    )
    def post(self, request, user_id: int):
        user = services.user_deactivate(user_id=user_id, actor_id=_caller_id(request))
        return Response(user_representation(user))


class UserActivateView(APIView):
    permission_classes = [role_required("admin")]

    @extend_schema(
        summary="Activate a user again (admins)", request=None, responses={200: doc.UserSchema}
    )
    def post(self, request, user_id: int):
        user = services.user_activate(user_id=user_id)
        return Response(user_representation(user))


# --- password reset and email confirmation -----------------------------------------


ACCEPTED = {"detail": "If an account has this address, an email is on its way."}


class PasswordResetView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Email a password reset link (always 202: whether the email is registered "
        "is not told)",
        request=s.PasswordResetSerializer,
        responses={202: doc.AcceptedSchema},
    )
    def post(self, request):
        data = validated(s.PasswordResetSerializer, request.data)
        services.password_reset_request(email=data["email"])
        return Response(ACCEPTED, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Set a new password with a reset link's token (once; every session ends)",
        request=s.PasswordResetConfirmSerializer,
        responses={204: None, **errors(400, _400="`invalid_token`, or `invalid` (password).")},
    )
    def post(self, request):
        data = validated(s.PasswordResetConfirmSerializer, request.data)
        services.password_reset_confirm(token=data["token"], password=data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Move the account to another email: a link to confirm it goes there",
        request=s.EmailChangeSerializer,
        responses={202: doc.AcceptedSchema, **errors(409, _409="`email_taken`.")},
    )
    def post(self, request):
        data = validated(s.EmailChangeSerializer, request.data)
        services.email_change_request(user_id=_caller_id(request), **data)
        return Response(
            {"detail": "Follow the link we sent to the new address."},
            status=status.HTTP_202_ACCEPTED,
        )


class EmailVerificationResendView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Send the confirmation link for the caller's email again",
        request=None,
        responses={202: doc.AcceptedSchema, **errors(409, _409="`email_already_verified`.")},
    )
    def post(self, request):
        services.email_verification_resend(user_id=_caller_id(request))
        return Response({"detail": "A new link is on its way."}, status=status.HTTP_202_ACCEPTED)


class EmailConfirmView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Confirm an email address with the link's token (no login needed)",
        request=s.EmailConfirmSerializer,
        responses={200: doc.UserSchema, **errors(400, 409, _400="`invalid_token`.")},
    )
    def post(self, request):
        data = validated(s.EmailConfirmSerializer, request.data)
        return Response(user_representation(services.email_confirm(token=data["token"])))
