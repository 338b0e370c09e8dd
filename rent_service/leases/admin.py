"""Django admin for operators: /admin/, reached on the internal network or by
`kubectl port-forward`, never through the gateway (docs/services/rent.md).

Everything is read-only (the ledger is append-only anyway); what operators need to do
are actions calling `leases.services` as the lease's landlord would, so every change
takes the lease's lock, follows the state machines and publishes its events: void an
invoice, waive its late fee, refund a payment as credit, terminate a lease. Dead
letters of the consumers are replayed from /admin/dead-letters/.
"""

from __future__ import annotations

from django.contrib import admin

from rentezy_common.gateway import Caller, Identity
from rentezy_common.operators import OperatorModelAdmin, ReadOnlyInline, for_each, operator_caller

from . import services
from .models import Invoice, Lease, LedgerEntry, Payment, PaymentIssue, Refund


def as_landlord(request, lease: Lease) -> Caller:
    """An operator acting for the lease's landlord (their id, recorded in the entries
    as the operator's): the services' access rules then apply unchanged."""
    operator = operator_caller(request)
    return Caller(Identity(user_id=lease.landlord_id, role="landlord",
                           request_id=operator.identity.request_id))  # fmt: skip


class EntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = ("id", "kind", "amount", "invoice", "payment", "memo", "created_at")


@admin.register(Lease)
class LeaseAdmin(OperatorModelAdmin):
    list_display = ("id", "status", "tenant_id", "landlord_id", "monthly_rent", "currency",
                    "due_day", "start_date", "end_date", "autopay")  # fmt: skip
    list_filter = ("status", "currency", "autopay")
    search_fields = ("=id", "=tenant_id", "=landlord_id", "=property_id", "=booking_id")
    ordering = ("-created_at",)
    inlines = (EntryInline,)
    actions = ("terminate",)

    @admin.action(description="Terminate the selected leases now", permissions=("operate",))
    def terminate(self, request, queryset) -> None:
        def call(pk):
            return services.lease_terminate(
                lease_id=pk,
                actor=as_landlord(request, Lease.objects.get(pk=pk)),
                reason="terminated_by_operator",
            )

        for_each(self, request, queryset, done="terminated", call=call)


@admin.register(Invoice)
class InvoiceAdmin(OperatorModelAdmin):
    list_display = ("id", "lease", "period_start", "period_end", "due_date", "status", "prorated")
    list_filter = ("status", "prorated")
    search_fields = ("=id", "=lease__id")
    ordering = ("-period_start",)
    actions = ("void", "waive_late_fee")

    def _call(self, request, queryset, service, done: str) -> None:
        for_each(self, request, queryset, done=done, call=lambda pk: service(
            invoice_id=pk, actor=as_landlord(request, Invoice.objects.get(pk=pk).lease),
        ))  # fmt: skip

    @admin.action(description="Void the selected invoices", permissions=("operate",))
    def void(self, request, queryset) -> None:
        self._call(request, queryset, services.invoice_void, "voided")

    @admin.action(description="Waive the late fee of the selected invoices",
                  permissions=("operate",))  # fmt: skip
    def waive_late_fee(self, request, queryset) -> None:
        self._call(request, queryset, services.late_fee_waive, "waived")


@admin.register(Payment)
class PaymentAdmin(OperatorModelAdmin):
    list_display = ("id", "lease", "kind", "status", "amount", "currency", "created_at")
    list_filter = ("status", "kind", "currency")
    search_fields = ("=id", "=lease__id", "=payment_intent_id")
    ordering = ("-created_at",)
    actions = ("refund_as_credit",)

    @admin.action(description="Refund what is left of the selected payments as credit",
                  permissions=("operate",))  # fmt: skip
    def refund_as_credit(self, request, queryset) -> None:
        from .selectors import refundable

        def call(pk):
            payment = Payment.objects.prefetch_related("refunds").get(pk=pk)
            services.refund_create(
                payment_id=pk, actor=as_landlord(request, payment.lease),
                amount=refundable(payment), destination="credit", reason="Refunded by an operator",
            )  # fmt: skip

        for_each(self, request, queryset, done="refunded as credit", call=call)


@admin.register(Refund)
class RefundAdmin(OperatorModelAdmin):
    list_display = ("id", "payment", "amount", "destination", "status", "attempts", "created_at")
    list_filter = ("status", "destination")
    ordering = ("-created_at",)


@admin.register(PaymentIssue)
class PaymentIssueAdmin(OperatorModelAdmin):
    list_display = ("created_at", "kind", "lease", "payment", "stripe_event_id", "resolved_at")
    list_filter = ("kind",)
    ordering = ("-created_at",)
