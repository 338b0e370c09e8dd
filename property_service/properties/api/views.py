"""HTTP adapters: decode, call one selector or service, encode (the representation).

Reads are public (the gateway forwards anonymous GETs with an empty, signed identity);
writes need a landlord or an admin, and the services check ownership under the row lock.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpResponseNotModified
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.api import validated
from rentezy_common.errors import NotFound
from rentezy_common.gateway import role_required
from rentezy_common.idempotency import idempotent
from rentezy_common.openapi import IDEMPOTENCY_KEY, errors

from .. import selectors, services
from ..filters import PropertyFilter
from ..images import check_photo_size, inspect_image, max_photo_bytes
from ..representation import photo_representation, property_representation, room_representation
from ..storage import is_photo_name, photo_storage
from . import schema as doc
from .serializers import PhotoUpdateSerializer, PropertyInputSerializer, RoomInputSerializer

CHANGE_CONFLICT = errors(409, _409="`not_publishable` (a published property must stay so), ...")

CanEdit = role_required(*selectors.EDITOR_ROLES)

# Multipart framing around the file (boundaries, part headers, other small fields): a body
# larger than the photo limit plus this is refused before it is parsed.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class PublicReadMixin:
    """GET/HEAD for anybody; every other method for landlords and admins."""

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [CanEdit()]


class PropertyListView(PublicReadMixin, GenericAPIView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = PropertyFilter

    def get_queryset(self):
        return selectors.property_list_visible(actor=self.request.user)

    @extend_schema(
        summary="Properties: the public catalogue, or filtered (owner, status, city)",
        responses={200: doc.PropertySchema(many=True)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([property_representation(prop) for prop in page])

    @extend_schema(
        summary="Create a property (a draft; landlords and admins)",
        request=PropertyInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: doc.PropertySchema, **errors(422)},
        examples=[doc.PROPERTY_CREATE_EXAMPLE],
    )
    @idempotent
    def post(self, request):
        fields = validated(PropertyInputSerializer, request.data)
        created = services.property_create(owner_id=request.user.id, fields=fields)
        return Response(
            created,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/properties/{created['id']}/"},
        )


class PropertyDetailView(PublicReadMixin, APIView):
    @extend_schema(summary="A property", responses={200: doc.PropertySchema})
    def get(self, request, pk):
        prop = selectors.property_get_visible(property_id=pk, actor=request.user)
        return Response(property_representation(prop))

    @extend_schema(
        summary="Change a property (only what is sent)",
        request=PropertyInputSerializer,
        responses={200: doc.PropertySchema, **CHANGE_CONFLICT},
    )
    def patch(self, request, pk):
        selectors.property_get_for_change(property_id=pk, actor=request.user)
        changes = validated(PropertyInputSerializer, request.data, partial=True)
        return Response(
            services.property_update(property_id=pk, actor=request.user, changes=changes)
        )

    @extend_schema(summary="Delete a property (soft)", responses={204: None})
    def delete(self, request, pk):
        services.property_delete(property_id=pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PropertyPublishView(APIView):
    permission_classes = [CanEdit]

    @extend_schema(
        summary="Publish a property",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: doc.PropertySchema,
            **errors(409, 422, _409="`illegal_transition`, `not_publishable`."),
        },
    )
    @idempotent
    def post(self, request, pk):
        return Response(services.property_publish(property_id=pk, actor=request.user))


class PropertyUnpublishView(APIView):
    permission_classes = [CanEdit]

    @extend_schema(
        summary="Unpublish a property (archived)",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.PropertySchema, **errors(409, 422, _409="`illegal_transition`.")},
    )
    @idempotent
    def post(self, request, pk):
        return Response(services.property_unpublish(property_id=pk, actor=request.user))


# -- rooms ------------------------------------------------------------------------------


class RoomListView(PublicReadMixin, APIView):
    @extend_schema(summary="A property's room types", responses={200: doc.RoomSchema(many=True)})
    def get(self, request, pk):
        prop = selectors.property_get_visible(property_id=pk, actor=request.user)
        return Response(property_representation(prop)["rooms"])

    @extend_schema(
        summary="Add a room type",
        request=RoomInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: doc.RoomSchema,
            **errors(409, 422, _409="`too_many_rooms`, a name already taken, ..."),
        },
        examples=[doc.ROOM_CREATE_EXAMPLE],
    )
    @idempotent
    def post(self, request, pk):
        selectors.property_get_for_change(property_id=pk, actor=request.user)
        fields = validated(RoomInputSerializer, request.data)
        room = services.room_create(property_id=pk, actor=request.user, fields=fields)
        return Response(room, status=status.HTTP_201_CREATED)


class RoomDetailView(PublicReadMixin, APIView):
    @extend_schema(summary="A room type", responses={200: doc.RoomSchema})
    def get(self, request, pk, room_id):
        room = selectors.room_get_visible(property_id=pk, room_id=room_id, actor=request.user)
        return Response(room_representation(room, room.property))

    @extend_schema(
        summary="Change a room type",
        request=RoomInputSerializer,
        responses={200: doc.RoomSchema, **errors(409)},
    )
    def patch(self, request, pk, room_id):
        selectors.property_get_for_change(property_id=pk, actor=request.user)
        changes = validated(RoomInputSerializer, request.data, partial=True)
        room = services.room_update(
            property_id=pk, room_id=room_id, actor=request.user, changes=changes
        )
        return Response(room)

    @extend_schema(
        summary="Delete a room type",
        responses={204: None, **errors(409, _409="`not_publishable`: the last room type.")},
    )
    def delete(self, request, pk, room_id):
        services.room_delete(property_id=pk, room_id=room_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- photos -----------------------------------------------------------------------------


class PhotoListView(PublicReadMixin, APIView):
    # The platform parses JSON only; this one view takes a multipart upload.
    parser_classes = [MultiPartParser]

    @extend_schema(summary="A property's photos", responses={200: doc.PhotoSchema(many=True)})
    def get(self, request, pk):
        prop = selectors.property_get_visible(property_id=pk, actor=request.user)
        return Response(property_representation(prop)["photos"])

    @extend_schema(
        summary="Upload a photo (multipart, field `file`)",
        request={"multipart/form-data": doc.PhotoUploadSchema},
        responses={
            201: doc.PhotoSchema,
            **errors(409, 413, 415, _409="`too_many_photos`.", _413="`photo_too_large`."),
        },
    )
    def post(self, request, pk):
        selectors.property_get_for_change(property_id=pk, actor=request.user)
        # Refuse an oversized body from its declared length, before reading it.
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > max_photo_bytes() + MULTIPART_OVERHEAD_BYTES:
            check_photo_size(declared)  # raises PhotoTooLarge
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Send the photo as multipart field 'file'."]})
        check_photo_size(upload.size)
        info = inspect_image(upload)
        photo = services.photo_add(property_id=pk, actor=request.user, upload=upload, info=info)
        return Response(photo, status=status.HTTP_201_CREATED)


class PhotoDetailView(PublicReadMixin, APIView):
    @extend_schema(summary="A photo", responses={200: doc.PhotoSchema})
    def get(self, request, pk, photo_id):
        photo = selectors.photo_get_visible(property_id=pk, photo_id=photo_id, actor=request.user)
        return Response(photo_representation(photo))

    @extend_schema(
        summary="Move a photo or make it the cover",
        request=PhotoUpdateSerializer,
        responses={200: doc.PhotoSchema},
    )
    def patch(self, request, pk, photo_id):
        selectors.property_get_for_change(property_id=pk, actor=request.user)
        data = validated(PhotoUpdateSerializer, request.data)
        photo = services.photo_update(
            property_id=pk,
            photo_id=photo_id,
            actor=request.user,
            position=data.get("position"),
            is_cover=data.get("is_cover"),
        )
        return Response(photo)

    @extend_schema(summary="Delete a photo", responses={204: None})
    def delete(self, request, pk, photo_id):
        services.photo_delete(property_id=pk, photo_id=photo_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- media ------------------------------------------------------------------------------


class AnyContentNegotiation(BaseContentNegotiation):
    """The media view answers with the file whatever the client accepts (an <img> may
    send `Accept: image/webp` only); JSON errors are rendered as usual."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class MediaView(APIView):
    """Photo files of the filesystem storage: `GET /api/properties/media/<name>`.

    Public like the property pages that embed them (an <img> cannot send a bearer token);
    names are unguessable UUIDs. Files of deleted photos and deleted properties are 404.
    """

    permission_classes = [AllowAny]
    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        summary="A photo's file",
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/webp"): OpenApiTypes.BINARY,
            304: OpenApiResponse(description="Not modified (`If-None-Match`)."),
            **errors(404),
        },
    )
    def get(self, request, name):
        if not is_photo_name(name):
            raise NotFound("No such file.")
        photo = selectors.photo_get_for_media(name=name)
        etag = f'"{photo.id}"'
        cache_control = settings.PROPERTY_MEDIA_CACHE_CONTROL
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            try:
                handle = photo_storage().open(name, "rb")
            except FileNotFoundError:
                raise NotFound("No such file.") from None
            response = FileResponse(handle, content_type=photo.content_type)
        response["ETag"] = etag
        response["Cache-Control"] = cache_control
        return response
