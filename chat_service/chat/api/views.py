"""HTTP adapters: decode, call one service or selector, encode
(docs/architecture/layout.md). The WebSocket's adapter is chat/sockets.py."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.api import validated, validated_query
from rentezy_common.gateway import role_required
from rentezy_common.idempotency import idempotent
from rentezy_common.openapi import IDEMPOTENCY_KEY, error_response, errors

from .. import attachments, selectors, services
from ..representation import (
    attachment_representation,
    block_representation,
    conversation_representation,
    message_representation,
    report_representation,
)
from . import schema as doc
from .serializers import (
    AttachmentUploadSerializer,
    BlockSerializer,
    ConversationStartSerializer,
    MessageEditSerializer,
    MessageQuerySerializer,
    MessageSendSerializer,
    ReadSerializer,
    ReportCloseSerializer,
    ReportCreateSerializer,
    ReportFilterSerializer,
)

_READ_ONLY = "`read_only` (admins read, never write), `blocked`, `permission_denied`."


def _conversation(conversation, user):
    return conversation_representation(
        conversation,
        viewer=selectors.viewer_of(conversation, user.id),
        participants=conversation.participants.all(),
    )


class ConversationListView(ListAPIView):
    """GET: the caller's conversations, latest activity first, each with its last
    message and the caller's unread count. POST: start one (or get the existing one)."""

    def get_queryset(self):
        return selectors.conversation_list_visible(actor=self.request.user)

    @extend_schema(
        summary="The caller's conversations (an admin's: all), latest activity first",
        responses={200: doc.ConversationSchema(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_conversation(c, request.user) for c in page])

    @extend_schema(
        summary="Start a conversation about a property (or get the existing one)",
        description="A tenant writes about a published property (tenant_id left out); a "
        "landlord, about their property, to a tenant who has a booking or a visit with "
        "them. 201 when it was started, 200 when it existed.",
        request=ConversationStartSerializer,
        responses={
            201: doc.ConversationSchema,
            200: doc.ConversationSchema,
            **errors(404, _404="`property_not_found`."),
            403: error_response("`read_only`, `no_relation`, `cannot_start`."),
        },
    )
    def post(self, request):
        data = validated(ConversationStartSerializer, request.data)
        conversation, created = services.conversation_start(actor=request.user, **data)
        conversation = selectors.conversation_get_visible(
            conversation_id=conversation.id, actor=request.user
        )
        return Response(
            _conversation(conversation, request.user),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConversationDetailView(APIView):
    @extend_schema(summary="A conversation", responses={200: doc.ConversationSchema})
    def get(self, request, conversation_id):
        conversation = selectors.conversation_get_visible(
            conversation_id=conversation_id, actor=request.user
        )
        return Response(_conversation(conversation, request.user))


class MessageListView(APIView):
    @extend_schema(
        summary="A conversation's messages by cursor: the latest, `before` or `after` a seq",
        parameters=[MessageQuerySerializer],
        responses={200: doc.MessagePageSchema},
    )
    def get(self, request, conversation_id):
        params = validated_query(MessageQuerySerializer, request.query_params)
        conversation = selectors.conversation_get_visible(
            conversation_id=conversation_id, actor=request.user
        )
        messages, has_more = selectors.message_list(conversation=conversation, **params)
        return Response(
            {
                "results": [message_representation(m) for m in messages],
                "has_more": has_more,
                "last_seq": conversation.last_seq,
            }
        )

    @extend_schema(
        summary="Send a message (idempotent by client_id: a retry returns the first)",
        request=MessageSendSerializer,
        responses={
            201: doc.MessageSchema,
            200: doc.MessageSchema,
            403: error_response(_READ_ONLY),
            **errors(409, _409="`attachment_in_use`."),
        },
        examples=[doc.SEND_EXAMPLE],
    )
    def post(self, request, conversation_id):
        data = validated(MessageSendSerializer, request.data)
        message, created = services.message_send(
            actor=request.user, conversation_id=conversation_id, **data
        )
        return Response(
            message_representation(message),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MessageDetailView(APIView):
    @extend_schema(
        summary="Edit a message's text (its author, within 15 minutes)",
        request=MessageEditSerializer,
        responses={
            200: doc.MessageSchema,
            403: error_response("`read_only`."),
            **errors(409, _409="`edit_window_closed`, `message_deleted`."),
        },
    )
    def patch(self, request, message_id):
        body = validated(MessageEditSerializer, request.data)["body"]
        message = services.message_edit(actor=request.user, message_id=message_id, body=body)
        return Response(message_representation(message))

    @extend_schema(
        summary="Delete a message (its author, within 15 minutes): its tombstone",
        responses={
            200: doc.MessageSchema,
            403: error_response("`read_only`."),
            **errors(409, _409="`edit_window_closed`, `message_deleted`."),
        },
    )
    def delete(self, request, message_id):
        message = services.message_delete(actor=request.user, message_id=message_id)
        return Response(message_representation(message))


class ReadView(APIView):
    @extend_schema(
        summary="Mark the conversation read up to a seq (the read marker only moves forward)",
        request=ReadSerializer,
        responses={200: doc.ReadMarkerSchema, 403: error_response("`read_only`.")},
    )
    def post(self, request, conversation_id):
        seq = validated(ReadSerializer, request.data)["seq"]
        participant, _ = services.conversation_mark_read(
            actor=request.user, conversation_id=conversation_id, seq=seq
        )
        return Response(
            {
                "conversation_id": str(participant.conversation_id),
                "last_read_seq": participant.last_read_seq,
                "unread_count": participant.unread_count,
            }
        )


class AttachmentUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Upload an image or PDF into a conversation (then send a message naming it)",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: doc.AttachmentSchema,
            403: error_response("`read_only`."),
            **errors(404, _404="`conversation_not_found`."),
            413: error_response("Over 10 MB (`payload_too_large`)."),
            415: error_response("Not a JPEG, PNG, GIF, WebP or PDF (`unsupported_media_type`)."),
        },
    )
    def post(self, request):
        data = validated(AttachmentUploadSerializer, request.data)
        upload = data["file"]
        attachment = services.attachment_upload(
            actor=request.user,
            conversation_id=data["conversation_id"],
            fileobj=upload,
            name=upload.name or "",
        )
        return Response(attachment_representation(attachment), status=status.HTTP_201_CREATED)


class AttachmentDetailView(APIView):
    @extend_schema(
        summary="An attachment's bytes (participants and admins)",
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="An image."),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A PDF."),
        },
    )
    def get(self, request, attachment_id):
        attachment = selectors.attachment_get_visible(
            attachment_id=attachment_id, actor=request.user
        )
        response = FileResponse(
            attachments.open_stored(attachment.storage_name),
            content_type=attachment.content_type,
            as_attachment=attachment.kind == "pdf",
            filename=attachment.name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response


class BlockListView(ListAPIView):
    """GET: the users the caller blocked. POST: block one (idempotent)."""

    def get_queryset(self):
        return selectors.block_list(actor=self.request.user)

    @extend_schema(summary="Users the caller blocked", responses={200: doc.BlockSchema(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([block_representation(b) for b in page])

    @extend_schema(
        summary="Block a user: neither can send to the other until unblocked",
        request=BlockSerializer,
        responses={201: doc.BlockSchema, 403: error_response("`read_only`.")},
    )
    def post(self, request):
        user_id = validated(BlockSerializer, request.data)["user_id"]
        block = services.user_block(actor=request.user, user_id=user_id)
        return Response(block_representation(block), status=status.HTTP_201_CREATED)


class BlockDetailView(APIView):
    @extend_schema(
        summary="Unblock a user (idempotent)",
        responses={204: None, 403: error_response("`read_only`.")},
    )
    def delete(self, request, user_id):
        services.user_unblock(actor=request.user, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReportListView(ListAPIView):
    """GET: reports, newest first (admins). POST: a participant reports the other."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [role_required("admin")()]
        return super().get_permissions()

    def get_queryset(self):
        params = validated_query(ReportFilterSerializer, self.request.query_params)
        return selectors.report_list(status=params.get("status"))

    @extend_schema(
        summary="Reports, newest first (admins)",
        parameters=[ReportFilterSerializer],
        responses={200: doc.ReportSchema(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([report_representation(r) for r in page])

    @extend_schema(
        summary="Report the other participant of a conversation (or one message)",
        request=ReportCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: doc.ReportSchema,
            403: error_response("`read_only`."),
            **errors(404, 422, _404="`conversation_not_found`, `message_not_found`."),
        },
    )
    @idempotent
    def post(self, request):
        data = validated(ReportCreateSerializer, request.data)
        report = services.report_create(actor=request.user, **data)
        return Response(report_representation(report), status=status.HTTP_201_CREATED)


class ReportCloseView(APIView):
    permission_classes = [role_required("admin")]

    @extend_schema(
        summary="Close a report: resolved, or dismissed (admins)",
        request=ReportCloseSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.ReportSchema, **errors(409, 422, _409="`illegal_transition`.")},
    )
    @idempotent
    def post(self, request, report_id):
        data = validated(ReportCloseSerializer, request.data)
        report = services.report_close(report_id=report_id, actor=request.user, **data)
        return Response(report_representation(report))
