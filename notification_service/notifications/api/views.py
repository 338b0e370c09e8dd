"""HTTP adapters: decode, call one service or selector, encode
(docs/architecture/layout.md)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.html import escape
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.api import validated_query
from rentezy_common.openapi import errors

from .. import selectors, services
from ..errors import InvalidPreferences
from ..representation import notification_representation, preferences_representation
from . import serializers as s


class InboxView(APIView):
    @extend_schema(
        summary="The caller's notifications, newest first (cursor pagination)",
        parameters=[s.InboxQuerySerializer],
        responses={200: s.InboxSchema, **errors(400)},
    )
    def get(self, request):
        query = validated_query(s.InboxQuerySerializer, request.query_params)
        page, next_cursor = selectors.notification_list_visible(
            actor=request.user,
            cursor=query.get("cursor"),
            limit=query["limit"],
            unread=query.get("unread"),
            category=query.get("category"),
        )
        return Response(
            {
                "results": [notification_representation(n) for n in page],
                "next_cursor": next_cursor,
                "unread": selectors.unread_count(user_id=request.user.id),
            }
        )


class UnreadCountView(APIView):
    @extend_schema(summary="The caller's unread count (the bell)", responses={200: s.UnreadSchema})
    def get(self, request):
        return Response({"unread": selectors.unread_count(user_id=request.user.id)})


class MarkReadView(APIView):
    @extend_schema(
        summary="Mark one notification read", request=None,
        responses={200: s.NotificationSchema, **errors(404)},
    )  # fmt: skip
    def post(self, request, notification_id):
        notification = services.notification_mark_read(
            actor=request.user, notification_id=notification_id
        )
        return Response(notification_representation(notification))


class MarkAllReadView(APIView):
    @extend_schema(summary="Mark every notification read", request=None,
                   responses={200: s.ReadAllSchema})  # fmt: skip
    def post(self, request):
        updated = services.notification_mark_all_read(actor=request.user)
        return Response(
            {"updated": updated, "unread": selectors.unread_count(user_id=request.user.id)}
        )


class ArchiveView(APIView):
    @extend_schema(
        summary="Archive a notification (out of the inbox)", request=None,
        responses={200: s.NotificationSchema, **errors(404)},
    )  # fmt: skip
    def post(self, request, notification_id):
        notification = services.notification_archive(
            actor=request.user, notification_id=notification_id
        )
        return Response(notification_representation(notification))


class PreferencesView(APIView):
    @extend_schema(
        summary="What the caller receives, per category and channel",
        responses={200: s.PreferencesSchema},
    )
    def get(self, request):
        return Response(
            preferences_representation(selectors.preferences_get(user_id=request.user.id))
        )

    @extend_schema(
        summary="Change preferences (security messages cannot be turned off)",
        request=s.PreferencesUpdateSchema,
        responses={200: s.PreferencesSchema, **errors(400)},
    )
    def put(self, request):
        body = request.data
        if not isinstance(body, dict) or "preferences" not in body:
            raise InvalidPreferences(details={"preferences": ["This field is required."]})
        return Response(
            services.preferences_update(actor=request.user, changes=body["preferences"])
        )


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>Unsubscribe · RentEzy</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1>RentEzy</h1>{content}</body></html>"""


class UnsubscribeView(APIView):
    """The link of `List-Unsubscribe` (RFC 8058). POST unsubscribes at once, without a
    login (the mail client's one-click, or the button below). GET only shows the button:
    link scanners and prefetchers follow GETs, and must not unsubscribe anyone."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="The unsubscribe page of an email's link (a button that POSTs)",
        responses={(200, "text/html"): str},
        auth=[],
    )
    def get(self, request, token):
        from ..errors import InvalidToken
        from ..tokens import unsubscribe_token_read

        try:
            data = unsubscribe_token_read(token)
        except InvalidToken:
            return HttpResponse(
                _PAGE.format(content="<p>This unsubscribe link is invalid or has expired.</p>"),
                status=400,
                content_type="text/html; charset=utf-8",
            )
        content = (
            f"<p>Stop emails about <strong>{escape(data['c'])}</strong>?</p>"
            '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">Unsubscribe</button></form>'
        )
        return HttpResponse(_PAGE.format(content=content), content_type="text/html; charset=utf-8")

    @extend_schema(
        summary="One-click unsubscribe (RFC 8058): no login, the token is the credential",
        request=None,
        responses={200: s.UnsubscribedSchema, **errors(400)},
        auth=[],
    )
    def post(self, request, token):
        # The body (`List-Unsubscribe=One-Click`, form-encoded) is not read: the token
        # alone says who and what.
        return Response({"unsubscribed": services.unsubscribe(token=token)})
