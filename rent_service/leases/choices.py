"""Enumerations shared by the models, the serializers and the OpenAPI document."""

from __future__ import annotations

from django.db import models


class LeaseStatus(models.TextChoices):
    UPCOMING = "upcoming"  # signed, not started
    ACTIVE = "active"
    ENDING = "ending"  # notice given, or a fixed term about to end
    ENDED = "ended"  # reached its end date
    TERMINATED = "terminated"  # ended early (booking cancelled before move-in, by hand)


class InvoiceStatus(models.TextChoices):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class EntryKind(models.TextChoices):
    """Ledger entries. Signed: positive is owed by the tenant, negative is paid or
    credited to the tenant."""

    RENT = "rent"  # + the rent of an invoice's period
    LATE_FEE = "late_fee"  # + once per invoice, after its grace period
    WAIVER = "waiver"  # - a late fee waived by the landlord
    ADJUSTMENT = "adjustment"  # ± proration at an early end, a void, a goodwill refund
    PAYMENT = "payment"  # - money received (on an invoice; any excess is credit)
    REFUND = "refund"  # + money sent back to the card (uses up credit)
    CREDIT = "credit"  # - credit granted (a refund as credit, a void's payments back)
    CREDIT_APPLIED = "credit_applied"  # -/+ pair: credit moved onto an invoice
    DEPOSIT_APPLIED = "deposit_applied"  # - part of the deposit kept to pay arrears


class LateFeeKind(models.TextChoices):
    NONE = "none"
    FLAT = "flat"
    PERCENT = "percent"  # of the invoice's overdue balance


class PaymentKind(models.TextChoices):
    CHECKOUT = "checkout"  # the booking's Checkout paid the first period
    ONLINE = "online"  # the tenant paid an invoice (POST .../pay/)
    AUTOPAY = "autopay"  # an off-session charge of the saved card


class PaymentStatus(models.TextChoices):
    PENDING = "pending"  # asked of Stripe; the webhook settles it
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class AttemptStatus(models.TextChoices):
    SCHEDULED = "scheduled"  # waits for its date
    QUEUED = "queued"  # claimed by the daily cycle, its task queued
    PROCESSING = "processing"  # charged; Stripe's answer (or webhook) pending
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a retry may follow
    SKIPPED = "skipped"  # nothing left to charge (paid meanwhile, autopay off)


class RefundDestination(models.TextChoices):
    CARD = "card"
    CREDIT = "credit"


class RefundStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class NoticeKind(models.TextChoices):
    """Messages the cycle queues once per invoice (rent-events for notification_service)."""

    REMINDER = "reminder"  # N days before due
    OVERDUE = "overdue"  # the day after the due date, still unpaid
    AUTOPAY_EXHAUSTED = "autopay_exhausted"  # the last autopay attempt failed


class PaymentIssueKind(models.TextChoices):
    PAYMENT_MISMATCH = "payment_mismatch"  # another PaymentIntent than the payment's
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    REFUND_FAILED = "refund_failed"
