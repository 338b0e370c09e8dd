"""Leases, their invoices and their ledger; payments, autopay attempts, refunds; and the
copies of other services' data that rent needs (properties, people).

Money is the ledger's: `LedgerEntry` rows are immutable and signed (positive: owed by
the tenant; negative: paid or credited). An invoice's balance is the sum of its entries;
a lease's balance is the sum of all of its entries; its credit is minus the sum of the
entries on no invoice. Nothing else stores a balance. Uniqueness that makes the daily
cycle safe to repeat lives here as constraints: one invoice per (lease, period), one
late fee and one waiver per invoice, one notice per (invoice, kind), one autopay attempt
per (invoice, number).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from .choices import (
    AttemptStatus,
    EntryKind,
    InvoiceStatus,
    LateFeeKind,
    LeaseStatus,
    NoticeKind,
    PaymentIssueKind,
    PaymentKind,
    PaymentStatus,
    RefundDestination,
    RefundStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


class Property(models.Model):
    """The newest `property-events` snapshot applied (its version guards replays)."""

    id = models.UUIDField(primary_key=True)
    owner_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True, default="")
    address = models.CharField(max_length=500, blank=True, default="")
    time_zone = models.CharField(max_length=64, default="UTC")
    status = models.CharField(max_length=16, blank=True, default="")
    version = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.title or self.id} ({self.time_zone})"


class Person(models.Model):
    """A user as `user-events` last described them: names on receipts, their zone."""

    id = models.CharField(primary_key=True, max_length=64)
    full_name = models.CharField(max_length=200, blank=True, default="")
    email = models.CharField(max_length=254, blank=True, default="")
    role = models.CharField(max_length=16, blank=True, default="")
    time_zone = models.CharField(max_length=64, blank=True, default="")
    locale = models.CharField(max_length=35, blank=True, default="")
    version = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.full_name or self.email or self.id


class Lease(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking_id = models.UUIDField(null=True, blank=True, unique=True)
    tenant_id = models.CharField(max_length=64)
    landlord_id = models.CharField(max_length=64)
    property_id = models.UUIDField()
    room_id = models.UUIDField(null=True, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=LeaseStatus.choices)

    # Terms.
    currency = models.CharField(max_length=3)
    monthly_rent = models.DecimalField(**MONEY)
    due_day = models.PositiveSmallIntegerField()  # 1..28: every month has it
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # last day; None: month to month
    notice_days = models.PositiveSmallIntegerField(default=30)
    deposit_held = models.DecimalField(**MONEY, default=0)
    late_fee_kind = models.CharField(
        max_length=8, choices=LateFeeKind.choices, default=LateFeeKind.NONE
    )
    late_fee_amount = models.DecimalField(**MONEY, default=0)  # flat amount, or percent
    late_fee_cap = models.DecimalField(**MONEY, null=True, blank=True)  # per invoice
    grace_days = models.PositiveSmallIntegerField(default=5)
    reminder_days = models.PositiveSmallIntegerField(default=3)
    # The property's IANA zone: "today" of this lease is a date there.
    time_zone = models.CharField(max_length=64, default="UTC")

    # Autopay: Stripe's ids only, never card data.
    autopay = models.BooleanField(default=False)
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="")
    setup_intent_id = models.CharField(max_length=255, blank=True, default="")
    payment_method_id = models.CharField(max_length=255, blank=True, default="")
    # Dev only (the payment simulator): the decline code the next charge fails with.
    simulate_decline = models.CharField(max_length=64, blank=True, default="")

    notice_given_at = models.DateTimeField(null=True, blank=True)
    notice_given_by = models.CharField(max_length=16, blank=True, default="")
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=64, blank=True, default="")
    created_by = models.CharField(max_length=64, blank=True, default="")
    # The version of its `rent-events` (every event of the lease, its invoices and
    # payments included, bumped under the lease's row lock).
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(due_day__gte=1) & Q(due_day__lte=28), name="lease_due_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="lease_end_after_start",
            ),
            models.CheckConstraint(condition=Q(monthly_rent__gt=0), name="lease_rent_gt_0"),
            models.CheckConstraint(condition=Q(deposit_held__gte=0), name="lease_deposit_gte_0"),
        ]
        indexes = [
            models.Index(fields=["tenant_id", "-created_at"], name="lease_tenant_idx"),
            models.Index(fields=["landlord_id", "-created_at"], name="lease_landlord_idx"),
            models.Index(fields=["property_id"], name="lease_property_idx"),
        ]

    def __str__(self) -> str:
        return f"lease {self.id} ({self.status})"


class Invoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lease = models.ForeignKey(
        Lease, on_delete=models.PROTECT, related_name="invoices", db_index=False
    )  # indexed by invoice_period_uniq
    period_start = models.DateField()
    period_end = models.DateField()  # exclusive: the next period's start
    due_date = models.DateField()
    prorated = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices)
    issued_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # void or uncollectible

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lease", "period_start"], name="invoice_period_uniq"),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="invoice_period_not_empty"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=["open", "partially_paid"]),
                name="invoice_unpaid_due_idx",
            ),
            models.Index(fields=["lease", "-period_start"], name="invoice_lease_period_idx"),
        ]

    def __str__(self) -> str:
        return f"invoice {self.period_start}..{self.period_end} ({self.status})"


class Payment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    kind = models.CharField(max_length=16, choices=PaymentKind.choices)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    payment_intent_id = models.CharField(max_length=255, blank=True, default="")
    client_secret = models.CharField(max_length=255, blank=True, default="")
    failure_code = models.CharField(max_length=64, blank=True, default="")
    failure_message = models.TextField(blank=True, default="")
    booking_id = models.UUIDField(null=True, blank=True)
    payer_id = models.CharField(max_length=64, blank=True, default="")
    idempotency_key = models.CharField(max_length=255, blank=True, default="")
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["payer_id", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payment_payer_idempotency_uniq",
            ),
            models.UniqueConstraint(
                fields=["payment_intent_id"],
                condition=~Q(payment_intent_id=""),
                name="payment_intent_uniq",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
        ]
        indexes = [models.Index(fields=["lease", "-created_at"], name="payment_lease_idx")]

    def __str__(self) -> str:
        return f"payment {self.amount} {self.currency} ({self.status})"


class AutopayAttempt(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="attempts", db_index=False
    )  # indexed by attempt_invoice_number_uniq
    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()  # 1 on the due date, then the retries
    scheduled_for = models.DateField()
    status = models.CharField(max_length=16, choices=AttemptStatus.choices)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="attempt", null=True, blank=True
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    decline_code = models.CharField(max_length=64, blank=True, default="")
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "number"], name="attempt_invoice_number_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["scheduled_for"],
                condition=Q(status="scheduled"),
                name="attempt_scheduled_idx",
            ),
            models.Index(
                fields=["queued_at"], condition=Q(status="queued"), name="attempt_queued_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"autopay attempt {self.number} ({self.status})"


class Refund(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    destination = models.CharField(max_length=8, choices=RefundDestination.choices)
    status = models.CharField(max_length=16, choices=RefundStatus.choices)
    reason = models.CharField(max_length=500, blank=True, default="")
    requested_by = models.CharField(max_length=64, blank=True, default="")
    stripe_refund_id = models.CharField(max_length=255, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_gt_0")]
        indexes = [
            models.Index(
                fields=["updated_at"], condition=Q(status="pending"), name="refund_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} to {self.destination} ({self.status})"


class LedgerEntry(models.Model):
    """One immutable signed amount. Never updated, never deleted."""

    id = models.BigAutoField(primary_key=True)
    # Indexed by entry_lease_idx and entry_invoice_idx (below).
    lease = models.ForeignKey(
        Lease, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        related_name="entries",
        null=True,
        blank=True,
        db_index=False,
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField(**MONEY)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="entries", null=True, blank=True
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, related_name="entries", null=True, blank=True
    )
    memo = models.CharField(max_length=500, blank=True, default="")
    created_by = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(kind="late_fee"), name="entry_one_late_fee"
            ),
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(kind="waiver"), name="entry_one_waiver"
            ),
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(kind="rent"), name="entry_one_rent"
            ),
        ]
        indexes = [
            models.Index(fields=["lease", "id"], name="entry_lease_idx"),
            models.Index(fields=["invoice"], name="entry_invoice_idx"),
            # Credit: the entries on no invoice.
            models.Index(
                fields=["lease"], condition=Q(invoice__isnull=True), name="entry_unallocated_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class InvoiceNotice(models.Model):
    """A message queued once per (invoice, kind) by the daily cycle."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=24, choices=NoticeKind.choices)
    for_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "kind"], name="notice_invoice_kind_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.invoice_id}"


class DepositSettlement(models.Model):
    """The deposit given back at the end, minus itemized deductions the tenant sees."""

    lease = models.OneToOneField(Lease, on_delete=models.PROTECT, related_name="deposit")
    held = models.DecimalField(**MONEY)
    deductions = models.JSONField(default=list)  # [{"description", "amount"}]
    returned_amount = models.DecimalField(**MONEY)
    settled_by = models.CharField(max_length=64, blank=True, default="")
    settled_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"deposit of {self.lease_id}: {self.returned_amount} returned"


class StripeEvent(models.Model):
    """A Stripe webhook event handled (recorded in the handler's transaction)."""

    id = models.CharField(primary_key=True, max_length=255)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.id} ({self.type})"


class PaymentIssue(models.Model):
    """Money that code must not decide alone: a payment that does not match what was
    asked (nothing changed), a refund that could not be made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, null=True, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=32, choices=PaymentIssueKind.choices)
    stripe_event_id = models.CharField(max_length=255, blank=True, default="")
    expected = models.JSONField(default=dict, blank=True)
    received = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} ({self.created_at:%Y-%m-%d})"
