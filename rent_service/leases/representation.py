"""The JSON of rent_service's aggregates: what the API returns and what `rent-events`
carry, one function each, so the two cannot drift apart (docs/contracts/rent-events.md).
Amounts are decimal strings in the lease's currency; balances come from the ledger
(leases.ledger), passed in when the caller read many at once."""

from __future__ import annotations

from decimal import Decimal

from . import ledger
from .models import (
    AutopayAttempt,
    DepositSettlement,
    Invoice,
    Lease,
    LedgerEntry,
    Payment,
    PaymentIssue,
    Refund,
)


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _date(value) -> str | None:
    return value.isoformat() if value else None


def deposit_representation(lease: Lease) -> dict:
    settlement: DepositSettlement | None = getattr(lease, "deposit", None)
    return {
        "held": money(lease.deposit_held),
        "settled": settlement is not None,
        "deductions": settlement.deductions if settlement else [],
        "returned_amount": money(settlement.returned_amount) if settlement else None,
        "settled_at": _iso(settlement.settled_at) if settlement else None,
    }


def lease_representation(lease: Lease, balances: dict | None = None) -> dict:
    """A lease as the API shows it and its events carry it."""
    balances = balances or ledger.lease_money(lease.id)
    return {
        "id": str(lease.id),
        "status": lease.status,
        "booking_id": str(lease.booking_id) if lease.booking_id else None,
        "tenant_id": lease.tenant_id,
        "landlord_id": lease.landlord_id,
        "property_id": str(lease.property_id),
        "room_id": str(lease.room_id) if lease.room_id else None,
        "quantity": lease.quantity,
        "currency": lease.currency,
        "monthly_rent": money(lease.monthly_rent),
        "due_day": lease.due_day,
        "start_date": _date(lease.start_date),
        "end_date": _date(lease.end_date),
        "month_to_month": lease.end_date is None,
        "notice_days": lease.notice_days,
        "late_fee": {
            "kind": lease.late_fee_kind,
            "amount": money(lease.late_fee_amount),
            "cap": money(lease.late_fee_cap),
            "grace_days": lease.grace_days,
        },
        "reminder_days": lease.reminder_days,
        "time_zone": lease.time_zone,
        "autopay": lease.autopay,
        "card_saved": bool(lease.payment_method_id),
        "deposit": deposit_representation(lease),
        "balance": money(balances["balance"]),
        "credit": money(balances["credit"]),
        "notice_given_at": _iso(lease.notice_given_at),
        "notice_given_by": lease.notice_given_by or None,
        "ended_on": _date(lease.ended_on),
        "end_reason": lease.end_reason or None,
        "created_at": _iso(lease.created_at),
        "updated_at": _iso(lease.updated_at),
    }


def invoice_representation(invoice: Invoice, totals: dict | None = None) -> dict:
    totals = totals or ledger.invoice_totals([invoice.id])[str(invoice.id)]
    return {
        "id": str(invoice.id),
        "lease_id": str(invoice.lease_id),
        "status": invoice.status,
        "currency": invoice.lease.currency,
        "period_start": _date(invoice.period_start),
        "period_end": _date(invoice.period_end),
        "due_date": _date(invoice.due_date),
        "prorated": invoice.prorated,
        "rent": money(totals["rent"]),
        "late_fee": money(totals["late_fee"]),
        "waived": money(totals["waived"]),
        "adjustments": money(totals["adjustments"]),
        "paid": money(totals["paid"]),
        "balance": money(totals["balance"]),
        "issued_at": _iso(invoice.issued_at),
        "closed_at": _iso(invoice.closed_at),
    }


def payment_representation(payment: Payment) -> dict:
    refunded = sum(
        (r.amount for r in payment.refunds.all() if r.status != "failed"), Decimal("0.00")
    )
    return {
        "id": str(payment.id),
        "lease_id": str(payment.lease_id),
        "invoice_id": str(payment.invoice_id) if payment.invoice_id else None,
        "kind": payment.kind,
        "status": payment.status,
        "amount": money(payment.amount),
        "currency": payment.currency,
        "refunded": money(refunded),
        "payment_intent_id": payment.payment_intent_id or None,
        "client_secret": payment.client_secret or None,
        "failure_code": payment.failure_code or None,
        "failure_message": payment.failure_message or None,
        "receipt_url": (
            f"/api/rent/payments/{payment.id}/receipt.pdf"
            if payment.status == "succeeded"
            else None
        ),
        "created_at": _iso(payment.created_at),
        "succeeded_at": _iso(payment.succeeded_at),
    }


def entry_representation(entry: LedgerEntry) -> dict:
    return {
        "id": entry.id,
        "lease_id": str(entry.lease_id),
        "invoice_id": str(entry.invoice_id) if entry.invoice_id else None,
        "kind": entry.kind,
        "amount": money(entry.amount),
        "payment_id": str(entry.payment_id) if entry.payment_id else None,
        "refund_id": str(entry.refund_id) if entry.refund_id else None,
        "memo": entry.memo,
        "created_at": _iso(entry.created_at),
    }


def refund_representation(refund: Refund) -> dict:
    return {
        "id": str(refund.id),
        "payment_id": str(refund.payment_id),
        "lease_id": str(refund.lease_id),
        "amount": money(refund.amount),
        "currency": refund.payment.currency,
        "destination": refund.destination,
        "status": refund.status,
        "reason": refund.reason or None,
        "last_error": refund.last_error or None,
        "created_at": _iso(refund.created_at),
    }


def attempt_representation(attempt: AutopayAttempt) -> dict:
    return {
        "id": str(attempt.id),
        "invoice_id": str(attempt.invoice_id),
        "lease_id": str(attempt.lease_id),
        "number": attempt.number,
        "scheduled_for": _date(attempt.scheduled_for),
        "status": attempt.status,
        "payment_id": str(attempt.payment_id) if attempt.payment_id else None,
        "decline_code": attempt.decline_code or None,
        "error": attempt.error or None,
    }


def payment_issue_representation(issue: PaymentIssue) -> dict:
    return {
        "id": str(issue.id),
        "kind": issue.kind,
        "lease_id": str(issue.lease_id) if issue.lease_id else None,
        "payment_id": str(issue.payment_id) if issue.payment_id else None,
        "stripe_event_id": issue.stripe_event_id or None,
        "expected": issue.expected,
        "received": issue.received,
        "message": issue.message,
        "created_at": _iso(issue.created_at),
        "resolved_at": _iso(issue.resolved_at),
    }
