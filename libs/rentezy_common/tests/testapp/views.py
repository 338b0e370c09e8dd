import time

from django.http import HttpResponse
from django.views.decorators.http import require_POST
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.errors import Conflict
from rentezy_common.gateway import role_required
from rentezy_common.idempotency import idempotent
from tests.testapp.models import Item


class WhoAmI(APIView):
    def get(self, request):
        return Response(
            {
                "user_id": request.user.id,
                "role": request.user.role,
                "request_id": request.identity.request_id,
            }
        )


class Public(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"authenticated": request.user.is_authenticated})


class LandlordsOnly(APIView):
    permission_classes = [role_required("landlord")]

    def get(self, request):
        return Response({"ok": True})


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "quantity"]


class Items(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        serializer = ItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=201)


class SoldOut(Conflict):
    code = "sold_out"
    message = "No rooms left."


class ConflictView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        raise SoldOut(details={"room_id": 7})


class Crash(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise ZeroDivisionError("bug")


def plain_crash(request):
    raise ZeroDivisionError("bug")
    return HttpResponse()


class IdempotentItems(APIView):
    """Creates an Item per request, once per Idempotency-Key; a name "taken" is a 409
    raised after the Item was written (it rolls back), a name "slow" holds the
    transaction a moment (concurrent retries queue behind it)."""

    permission_classes = [AllowAny]

    @idempotent
    def post(self, request):
        serializer = ItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        if serializer.validated_data["name"] == "taken":
            raise Conflict("That name is taken.", code="name_taken")
        if serializer.validated_data["name"] == "slow":
            time.sleep(0.3)
        return Response(serializer.data, status=201)


@require_POST
def plain_post_only(request):
    """A plain Django view behind `require_POST`: its 405 has no body of its own."""
    return HttpResponse("ok")


def plain_teapot(request):
    """A view answering an error in HTML, as third-party code may."""
    return HttpResponse("<h1>I'm a teapot</h1>", status=418, content_type="text/html")


class PagedItems(ListAPIView):
    """Items, paginated by the platform's default pagination."""

    permission_classes = [AllowAny]
    serializer_class = ItemSerializer
    queryset = Item.objects.order_by("id")
