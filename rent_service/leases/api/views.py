"""HTTP adapters: decode, call one service or selector, encode
(docs/architecture/layout.md). The Stripe webhook is in leases/webhooks.py."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from rentezy_common.api import validated, validated_query
from rentezy_common.errors import NotFound
from rentezy_common.gateway import role_required
from rentezy_common.idempotency import REPLAYED_HEADER, idempotent, key_from
from rentezy_common.openapi import IDEMPOTENCY_KEY, PlatformAutoSchema, errors

from .. import ledger, receipts, selectors, services, simulator
from ..models import Invoice, Lease
from ..representation import (
    attempt_representation,
    entry_representation,
    invoice_representation,
    lease_representation,
    payment_issue_representation,
    payment_representation,
    refund_representation,
)
from . import schema as doc
from .filters import InvoiceFilter, LeaseFilter, PaymentFilter
from .serializers import (
    AutopaySerializer,
    DepositReturnSerializer,
    LeaseCreateSerializer,
    LeaseUpdateSerializer,
    NoticeSerializer,
    PaySerializer,
    RefundSerializer,
    RenewSerializer,
    RollQuerySerializer,
    SimulateCardSerializer,
    SimulatePaymentSerializer,
    TerminateSerializer,
)

TAGS = ["rent"]
CHANGE_ERRORS = errors(409, 422, _409="`illegal_transition`, ...")


def _fresh_lease(lease_id) -> dict:
    """The lease as it is after a service changed it (the caller was checked already)."""
    return lease_representation(Lease.objects.select_related("deposit").get(pk=lease_id))


def _invoice(invoice: Invoice) -> dict:
    invoice = Invoice.objects.select_related("lease").get(pk=invoice.pk)
    return invoice_representation(invoice)


def _invoice_detail(invoice: Invoice) -> dict:
    return {
        **_invoice(invoice),
        "attempts": [attempt_representation(a) for a in selectors.attempt_list(invoice=invoice)],
    }


class AcceptHeaderNegotiation(DefaultContentNegotiation):
    """The format is the `Accept` header's, never a `?format=` parameter (an unknown
    one would be DRF's 404)."""

    class settings:
        URL_FORMAT_OVERRIDE = None


class AcceptHeaderSchema(PlatformAutoSchema):
    def _get_format_parameters(self):
        return []


class JsonErrorsMixin:
    """Views answering another format (CSV, PDF) choose it by `Accept` alone and still
    answer errors in JSON."""

    content_negotiation_class = AcceptHeaderNegotiation
    schema = AcceptHeaderSchema()

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


# A paginated list answered with representations: `represent(page)` makes them (one
# query for the balances of the whole page, never one per row). No docstring: a view's
# docstring is its OpenAPI description.
class RepresentedListView(ListAPIView):
    def represent(self, page: list) -> list[dict]:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.represent(page))


# -- leases ----------------------------------------------------------------------------------
@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The caller's leases (a landlord's: their properties'; an admin's: all)",
        responses={200: doc.LeaseListItemSchema(many=True)},
    )
)
class LeaseListView(RepresentedListView):
    """GET: the caller's leases. POST: a landlord types in a lease for a tenant."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = LeaseFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [role_required("landlord")()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.lease_list_visible(actor=self.request.user)

    def represent(self, page):
        money = ledger.lease_money_many([lease.id for lease in page])
        names = selectors.person_names(lease.tenant_id for lease in page)
        return [
            {**lease_representation(lease, money[str(lease.id)]),
             "tenant_name": names.get(lease.tenant_id, "")}
            for lease in page
        ]  # fmt: skip

    @extend_schema(
        tags=TAGS,
        summary="Create a lease for a tenant of yours (landlords)",
        request=LeaseCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: doc.LeaseSchema, **errors(404, 422, _404="`property_not_found`.")},
        examples=[doc.LEASE_EXAMPLE],
    )
    @idempotent
    def post(self, request):
        data = validated(LeaseCreateSerializer, request.data)
        lease = services.lease_create(actor=request.user, data=data)
        return Response(_fresh_lease(lease.id), status=status.HTTP_201_CREATED)


class LeaseDetailView(APIView):
    @extend_schema(tags=TAGS, summary="A lease", responses={200: doc.LeaseSchema})
    def get(self, request, lease_id):
        return Response(
            lease_representation(selectors.lease_get_visible(lease_id=lease_id, actor=request.user))
        )

    @extend_schema(
        tags=TAGS,
        summary="Edit the terms before the lease starts (its landlord)",
        request=LeaseUpdateSerializer,
        responses={200: doc.LeaseSchema, **errors(409, _409="`terms_locked`.")},
    )
    def patch(self, request, lease_id):
        data = validated(LeaseUpdateSerializer, request.data, partial=True)
        lease = services.lease_update_terms(lease_id=lease_id, actor=request.user, data=data)
        return Response(_fresh_lease(lease.id))


class LeaseNoticeView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Give notice: the lease ends after its notice period (tenant or landlord)",
        request=NoticeSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.LeaseSchema, **CHANGE_ERRORS},
    )
    @idempotent
    def post(self, request, lease_id):
        data = validated(NoticeSerializer, request.data)
        lease = services.lease_give_notice(
            lease_id=lease_id, actor=request.user, move_out=data.get("move_out_date")
        )
        return Response(_fresh_lease(lease.id))


class LeaseRenewView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Renew a fixed-term lease (its landlord)",
        request=RenewSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.LeaseSchema, **errors(409, 422, _409="`illegal_transition`, "
                                                         "`terms_locked`.")},
    )  # fmt: skip
    @idempotent
    def post(self, request, lease_id):
        data = validated(RenewSerializer, request.data)
        lease = services.lease_renew(
            lease_id=lease_id, actor=request.user, end_date=data["end_date"],
            monthly_rent=data.get("monthly_rent"),
        )  # fmt: skip
        return Response(_fresh_lease(lease.id))


class LeaseTerminateView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="End a lease now (its landlord)",
        request=TerminateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.LeaseSchema, **CHANGE_ERRORS},
    )
    @idempotent
    def post(self, request, lease_id):
        data = validated(TerminateSerializer, request.data)
        lease = services.lease_terminate(
            lease_id=lease_id, actor=request.user, reason=data.get("reason") or ""
        )
        return Response(_fresh_lease(lease.id))


class LeaseDepositReturnView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Return the deposit minus itemized deductions (its landlord)",
        request=DepositReturnSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.LeaseSchema, **errors(409, 422, _409="`illegal_transition`, "
                                                         "`deposit_settled`.")},
    )  # fmt: skip
    @idempotent
    def post(self, request, lease_id):
        data = validated(DepositReturnSerializer, request.data)
        lease = services.lease_return_deposit(
            lease_id=lease_id, actor=request.user, deductions=data["deductions"]
        )
        return Response(_fresh_lease(lease.id))


@extend_schema_view(
    get=extend_schema(
        tags=TAGS, summary="A lease's ledger entries", responses={200: doc.EntrySchema(many=True)}
    )
)
class LeaseLedgerView(RepresentedListView):
    """The lease's ledger: every signed entry, oldest first."""

    def get_queryset(self):
        lease = selectors.lease_get_visible(
            lease_id=self.kwargs["lease_id"], actor=self.request.user
        )
        return selectors.entry_list(lease=lease)

    def represent(self, page):
        return [entry_representation(e) for e in page]


class LeaseCardView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Save a card for autopay: a SetupIntent for Stripe.js (the tenant)",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.CardSetupSchema, **errors(409, 422, 503)},
    )
    @idempotent
    def post(self, request, lease_id):
        key = key_from(request) or uuid.uuid4().hex
        return Response(services.card_setup(lease_id=lease_id, actor=request.user, key=key))

    @extend_schema(
        tags=TAGS,
        summary="Forget the saved card (autopay goes off)",
        responses={200: doc.LeaseSchema},
    )
    def delete(self, request, lease_id):
        lease = services.card_remove(lease_id=lease_id, actor=request.user)
        return Response(_fresh_lease(lease.id))


class LeaseAutopayView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Switch autopay on or off (the tenant; needs a saved card)",
        request=AutopaySerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: doc.LeaseSchema, **errors(409, 422, _409="`no_payment_method`.")},
    )
    @idempotent
    def post(self, request, lease_id):
        enabled = validated(AutopaySerializer, request.data)["enabled"]
        lease = services.autopay_set(lease_id=lease_id, actor=request.user, enabled=enabled)
        return Response(_fresh_lease(lease.id))


class LeaseSimulateCardView(APIView):
    """The simulator (404 where it is off: always in production): save the test card as
    Stripe would (a signed setup_intent.succeeded), or make its next charge fail."""

    @extend_schema(
        tags=TAGS,
        summary="Simulate Stripe for the saved card (outside production)",
        request=SimulateCardSerializer,
        responses={200: doc.SimulatedCardSchema, **errors(409, 503)},
    )
    def post(self, request, lease_id):
        if not settings.PAYMENT_SIMULATOR_ENABLED:
            raise NotFound()
        lease = selectors.lease_get_visible(lease_id=lease_id, actor=request.user)
        data = validated(SimulateCardSerializer, request.data)
        answer = {"event": None, "webhook": None}
        if data["action"] == "fail_next_charge":
            services.card_simulate_decline(
                lease_id=lease_id, actor=request.user, decline_code=data["decline_code"]
            )
        else:
            if request.user.role != "tenant":
                raise PermissionDenied()
            if not lease.setup_intent_id:
                services.card_setup(lease_id=lease_id, actor=request.user, key=uuid.uuid4().hex)
                lease.refresh_from_db()
            event = simulator.setup_event(lease)
            code, response = simulator.deliver(event)
            answer = {"event": {"id": event["id"], "type": event["type"]},
                      "webhook": {"status": code, "response": response}}  # fmt: skip
        return Response({**answer, "lease": _fresh_lease(lease_id)})


# -- invoices ----------------------------------------------------------------------------
@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The caller's invoices, newest period first",
        responses={200: doc.InvoiceSchema(many=True)},
    )
)
class InvoiceListView(RepresentedListView):
    """The invoices of the leases the caller sees."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = InvoiceFilter

    def get_queryset(self):
        return selectors.invoice_list_visible(actor=self.request.user)

    def represent(self, page):
        totals = ledger.invoice_totals([i.id for i in page])
        return [invoice_representation(i, totals[str(i.id)]) for i in page]


class InvoiceDetailView(APIView):
    @extend_schema(
        tags=TAGS, summary="An invoice and its autopay attempts",
        responses={200: doc.InvoiceDetailSchema},
    )  # fmt: skip
    def get(self, request, invoice_id):
        invoice = selectors.invoice_get_visible(invoice_id=invoice_id, actor=request.user)
        return Response(_invoice_detail(invoice))


class InvoicePayView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Pay an invoice, in full (default) or in part, or more (credit): a "
        "PaymentIntent to confirm (the tenant)",
        request=PaySerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: doc.PaymentSchema,
            **errors(
                409, 422, 503,
                _409="`not_payable` (void, paid, uncollectible).",
                _503="`payment_provider_unavailable`: retry with the same Idempotency-Key.",
            ),
        },
    )  # fmt: skip
    def post(self, request, invoice_id):
        # Its own Idempotency-Key (services.invoice_pay): the PaymentIntent is made after
        # commit, so the library's key-in-the-transaction cannot cover it.
        key = key_from(request)
        data = validated(PaySerializer, request.data)
        payment, created = services.invoice_pay(
            invoice_id=invoice_id, actor=request.user, amount=data.get("amount"),
            currency=data.get("currency"), idempotency_key=key,
        )  # fmt: skip
        response = Response(payment_representation(payment), status=status.HTTP_201_CREATED)
        if not created:
            response[REPLAYED_HEADER] = "true"
        return response


def _invoice_action(summary: str, call, conflicts: str):
    class InvoiceActionView(APIView):
        @extend_schema(
            tags=TAGS,
            summary=summary,
            request=None,
            parameters=[IDEMPOTENCY_KEY],
            responses={200: doc.InvoiceSchema, **errors(409, 422, _409=conflicts)},
        )
        @idempotent
        def post(self, request, invoice_id):
            invoice = call(invoice_id=invoice_id, actor=request.user)
            return Response(_invoice(invoice))

    return InvoiceActionView


InvoiceWaiveView = _invoice_action(
    "Waive the invoice's late fee (its landlord)", services.late_fee_waive, "`no_late_fee`."
)
InvoiceVoidView = _invoice_action(
    "Void an invoice: charges reversed, payments to credit (its landlord)",
    services.invoice_void,
    "`illegal_transition`.",
)
InvoiceUncollectibleView = _invoice_action(
    "Write an invoice off as uncollectible (its landlord)",
    services.invoice_mark_uncollectible,
    "`illegal_transition`.",
)


# -- payments ----------------------------------------------------------------------------
@extend_schema_view(
    get=extend_schema(
        tags=TAGS, summary="The caller's payments", responses={200: doc.PaymentSchema(many=True)}
    )
)
class PaymentListView(RepresentedListView):
    """The payments of the leases the caller sees."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = PaymentFilter

    def get_queryset(self):
        return selectors.payment_list_visible(actor=self.request.user)

    def represent(self, page):
        return [payment_representation(p) for p in page]


class PaymentDetailView(APIView):
    @extend_schema(tags=TAGS, summary="A payment", responses={200: doc.PaymentSchema})
    def get(self, request, payment_id):
        payment = selectors.payment_get_visible(payment_id=payment_id, actor=request.user)
        return Response(payment_representation(payment))


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class PaymentReceiptView(JsonErrorsMixin, APIView):
    renderer_classes = [PdfRenderer, JSONRenderer]

    @extend_schema(
        tags=TAGS,
        summary="The receipt of a succeeded payment, as a PDF",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A PDF."),
            **errors(409, _409="`not_paid`: the payment has not succeeded."),
        },
    )
    def get(self, request, payment_id):
        payment = selectors.payment_get_visible(payment_id=payment_id, actor=request.user)
        if payment.status != "succeeded":
            from rentezy_common.errors import Conflict

            raise Conflict("Only a succeeded payment has a receipt.", code="not_paid")
        response = HttpResponse(receipts.receipt_pdf(payment), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{payment.id}.pdf"'
        return response


class PaymentRefundView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Refund a payment to the card or as credit (its landlord)",
        request=RefundSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: doc.RefundSchema, **errors(409, 422, _409="`not_refundable`.")},
    )
    @idempotent
    def post(self, request, payment_id):
        data = validated(RefundSerializer, request.data)
        refund = services.refund_create(payment_id=payment_id, actor=request.user, **data)
        return Response(refund_representation(refund), status=status.HTTP_201_CREATED)


class PaymentSimulateView(APIView):
    """The simulator (404 where it is off): Stripe's signed answer to a pending payment
    (an online payment or an autopay attempt's), delivered to the real webhook."""

    @extend_schema(
        tags=TAGS,
        summary="Simulate Stripe's answer to a payment (outside production)",
        request=SimulatePaymentSerializer,
        responses={200: doc.SimulatedPaymentSchema},
    )
    def post(self, request, payment_id):
        if not settings.PAYMENT_SIMULATOR_ENABLED:
            raise NotFound()
        payment = selectors.payment_get_visible(payment_id=payment_id, actor=request.user)
        if request.user.role not in ("tenant", "admin"):
            from ..errors import PaymentNotFound

            raise PaymentNotFound()
        outcome = validated(SimulatePaymentSerializer, request.data)["outcome"]
        event = simulator.payment_event(payment, outcome)
        code, answer = simulator.deliver(event)
        payment = selectors.payment_get_visible(payment_id=payment_id, actor=request.user)
        return Response(
            {
                "event": {"id": event["id"], "type": event["type"]},
                "webhook": {"status": code, "response": answer},
                "payment": payment_representation(payment),
            }
        )


# -- the rent roll -----------------------------------------------------------------------
ROLL_COLUMNS = ("lease_id", "property_id", "tenant_id", "tenant_name", "invoice_id",
                "period_start", "due_date", "status", "currency", "expected", "collected",
                "outstanding", "days_overdue")  # fmt: skip


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(ROLL_COLUMNS)
        for row in (data or {}).get("rows", []):
            writer.writerow([row[c] for c in ROLL_COLUMNS])
        for total in (data or {}).get("totals", []):
            writer.writerow(
                ["TOTAL", "", "", "", "", data["month"], "", "", total["currency"],
                 total["expected"], total["collected"], total["outstanding"], ""]
            )  # fmt: skip
        return buffer.getvalue().encode("utf-8")


class RentRollView(JsonErrorsMixin, APIView):
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        tags=TAGS,
        summary="A month's rent roll: expected, collected, outstanding, who is late "
        "(landlords, admins); CSV with `Accept: text/csv`",
        parameters=[RollQuerySerializer],
        responses={
            (200, "application/json"): doc.RentRollSchema,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="One row per invoice."
            ),
        },
    )
    def get(self, request):
        month = validated_query(RollQuerySerializer, request.query_params)["month"]
        roll = selectors.rent_roll(actor=request.user, month=date.fromisoformat(f"{month}-01"))
        response = Response(roll)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="rent-roll-{month}.csv"'
        return response


@extend_schema_view(get=extend_schema(
    tags=TAGS, summary="Payment issues (admins)",
    responses={200: doc.PaymentIssueSchema(many=True)},
))  # fmt: skip
class PaymentIssueListView(RepresentedListView):
    """Payments that did not match what was asked and refunds that failed (admins)."""

    permission_classes = [role_required("admin")]

    def get_queryset(self):
        return selectors.payment_issue_list()

    def represent(self, page):
        return [payment_issue_representation(i) for i in page]
