"""Room inventory, bookings, the Stripe events already handled, and the payment issues
waiting for a person.

Inventory rows are booking_service's own copy of the rooms in `property-events`
(docs/contracts/property-events.md); `available_units` is the one number every hold
changes, with a single conditional UPDATE (bookings.inventory), and a CHECK keeps it
between 0 and `total_units` whatever the code above it does.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

MONEY = {"max_digits": 14, "decimal_places": 2}


class Property(models.Model):
    """The newest `property-events` snapshot applied: its version guards replays."""

    id = models.UUIDField(primary_key=True)
    owner_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=16)
    version = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.title or self.id} (v{self.version})"


class Room(models.Model):
    """One room type of a property: the units tenants book."""

    id = models.UUIDField(primary_key=True)  # property_service's room id
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="rooms")
    owner_id = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=200, blank=True, default="")
    total_units = models.IntegerField()
    available_units = models.IntegerField()
    monthly_price = models.DecimalField(**MONEY)
    deposit = models.DecimalField(**MONEY, default=0)
    currency = models.CharField(max_length=3)
    # False once the property is unpublished or deleted, or the room removed from it.
    bookable = models.BooleanField(default=False)
    # The landlord asked for fewer units than are held or sold: refused, kept here until
    # a later snapshot asks for a total that fits (shown by the availability endpoint).
    refused_total_units = models.IntegerField(null=True, blank=True)
    # The version of its `inventory.changed` events (bumped with each one).
    version = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(available_units__gte=0) & Q(available_units__lte=F("total_units")),
                name="room_available_units_in_range",
            ),
            models.CheckConstraint(condition=Q(total_units__gte=0), name="room_total_units_gte_0"),
        ]

    def __str__(self) -> str:
        return f"room {self.id}: {self.available_units}/{self.total_units} free"


class BookingStatus(models.TextChoices):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"
    FAILED = "FAILED"


class RefundStatus(models.TextChoices):
    NONE = ""
    PENDING = "pending"  # owed; attempts are made until it succeeds or fails for good
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # refused by Stripe, or out of attempts: a PaymentIssue says why


class Booking(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant_id = models.CharField(max_length=64)
    owner_id = models.CharField(max_length=64)
    property_id = models.UUIDField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    quantity = models.PositiveIntegerField()
    move_in_date = models.DateField()
    status = models.CharField(max_length=16, choices=BookingStatus.choices)
    # Why it ended as it did (hold_expired, cancelled_by_tenant, sold_out_after_payment…).
    reason = models.CharField(max_length=64, blank=True, default="")

    currency = models.CharField(max_length=3)
    monthly_amount = models.DecimalField(**MONEY)
    deposit_amount = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY, default=0)
    amount_refunded = models.DecimalField(**MONEY, default=0)

    expires_at = models.DateTimeField()
    checkout_session_id = models.CharField(max_length=255, blank=True, default="")
    checkout_url = models.TextField(blank=True, default="")
    payment_intent_id = models.CharField(max_length=255, blank=True, default="")
    last_payment_error = models.TextField(blank=True, default="")
    refund_status = models.CharField(
        max_length=16, choices=RefundStatus.choices, blank=True, default=""
    )
    refund_id = models.CharField(max_length=255, blank=True, default="")
    # Refund attempts made, when the next may be made (backoff after a transient
    # failure), and when one was last queued (so the sweeper queues one at a time).
    refund_attempts = models.PositiveSmallIntegerField(default=0)
    refund_next_attempt_at = models.DateTimeField(null=True, blank=True)
    refund_queued_at = models.DateTimeField(null=True, blank=True)
    refund_last_error = models.TextField(blank=True, default="")

    idempotency_key = models.CharField(max_length=255, blank=True, default="")
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")
    # The version of its `booking-events` (bumped under the row lock with each one).
    version = models.PositiveIntegerField(default=1)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="booking_tenant_idempotency_key_uniq",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="booking_quantity_gte_1"),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount_paid")),
                name="booking_refund_within_paid",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant_id", "-created_at"], name="booking_tenant_created_idx"),
            models.Index(fields=["owner_id", "-created_at"], name="booking_owner_created_idx"),
            # The sweeper's scan: pending holds by expiry.
            models.Index(
                fields=["expires_at"],
                condition=Q(status="PENDING"),
                name="booking_pending_expiry_idx",
            ),
            models.Index(
                fields=["updated_at"],
                condition=Q(refund_status="pending"),
                name="booking_refund_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"booking {self.id} ({self.status})"


class StripeEvent(models.Model):
    """A Stripe webhook event handled (recorded in the handler's transaction)."""

    id = models.CharField(primary_key=True, max_length=255)
    type = models.CharField(max_length=100)
    booking_id = models.UUIDField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.id} ({self.type})"


class PaymentIssueKind(models.TextChoices):
    SESSION_MISMATCH = "session_mismatch"  # paid session is not the booking's session
    AMOUNT_MISMATCH = "amount_mismatch"  # paid amount differs from the booking's amount
    CURRENCY_MISMATCH = "currency_mismatch"
    REFUND_FAILED = "refund_failed"  # Stripe refused it, or attempts ran out


class PaymentIssue(models.Model):
    """Something about money that code must not decide alone: a payment that does not
    match its booking (nothing was changed), or a refund that could not be made. An
    admin reads them (`GET /api/bookings/payment-issues/`, the Django admin) and marks
    them resolved once a person has dealt with them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, related_name="payment_issues", null=True, blank=True
    )
    kind = models.CharField(max_length=32, choices=PaymentIssueKind.choices)
    stripe_event_id = models.CharField(max_length=255, blank=True, default="")
    expected = models.JSONField(default=dict, blank=True)
    received = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=64, blank=True, default="")
    resolution = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["-created_at"],
                condition=Q(resolved_at=None),
                name="payment_issue_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on booking {self.booking_id}"
