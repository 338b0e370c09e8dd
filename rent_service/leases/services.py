"""Rent use cases: every write of a lease, its ledger, invoices, payments, refunds and
deposit (the daily cycle, which writes sets of rows, is leases/cycle.py).

Every change takes the lease's row lock (`SELECT ... FOR UPDATE`) first, so the webhook,
the API, the autopay task and the cycle serialize on the lease they touch; checks the
state machines (leases.states); appends ledger entries (never updates one); brings the
invoices' statuses in line with their entries (leases.ledger); and records its
`rent-events` through the outbox, in one transaction. Calls to Stripe happen outside
those transactions: after commit (a tenant's payment, like booking's hold, keeps its own
Idempotency-Key on its row), or from Celery tasks queued by name.

Payments are checked, not trusted: a settled PaymentIntent must be the payment's own,
for the amount asked, in the lease's currency; anything else changes nothing and
becomes a PaymentIssue for a person.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rentezy_common.errors import IllegalTransition
from rentezy_common.idempotency import IdempotencyKeyReused
from rentezy_common.payments import is_whole_in, minor_units
from rentezy_common.retention import delete_older_than
from rentezy_common.tasks import claim_due, enqueue, enqueue_on_commit

from . import ledger, payments, policies
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
from .errors import (
    AmountOutOfRange,
    CurrencyMismatch,
    DepositSettled,
    InvoiceNotFound,
    LeaseNotFound,
    NoLateFee,
    NoPaymentMethod,
    NotPayable,
    NotRefundable,
    PaymentNotFound,
    PropertyNotFound,
    TermsLocked,
)
from .events import rent_events_publish
from .models import (
    AutopayAttempt,
    DepositSettlement,
    Invoice,
    InvoiceNotice,
    Lease,
    LedgerEntry,
    Payment,
    PaymentIssue,
    Person,
    Property,
    Refund,
    StripeEvent,
)
from .representation import (
    invoice_representation,
    lease_representation,
    payment_representation,
    refund_representation,
)
from .selectors import lease_can_change, lease_can_see, refundable
from .states import COLLECTIBLE, LIVE, invoice_transition_check, lease_transition_check

logger = logging.getLogger(__name__)
L, I = LeaseStatus, InvoiceStatus  # noqa: E741
ZERO = Decimal("0.00")

# Celery tasks, by their registered names (leases/tasks.py).
TASK_CHARGE_AUTOPAY = "leases.charge_autopay"
TASK_ISSUE_REFUND = "leases.issue_refund"
TASK_CREATE_PAYMENT_INTENT = "leases.create_payment_intent"
TASK_SIMULATE_ANSWER = "leases.simulate_answer"

# Terms a landlord may set by hand, and those locked once the lease has an invoice.
TERMS = (
    "monthly_rent", "currency", "due_day", "start_date", "end_date", "notice_days",
    "late_fee_kind", "late_fee_amount", "late_fee_cap", "grace_days", "reminder_days",
)  # fmt: skip
MONEY_TERMS = frozenset({"monthly_rent", "currency", "due_day", "start_date"})


# -- the lease, locked; events ------------------------------------------------------------
def _locked_lease(lease_id) -> Lease:
    lease = Lease.objects.select_for_update().filter(pk=lease_id).first()
    if lease is None:
        raise LeaseNotFound()
    return lease


def _lease_event(lease: Lease, event_type: str) -> tuple:
    lease = Lease.objects.select_related("deposit").get(pk=lease.pk)
    return (lease.id, event_type, lease_representation(lease))


def _invoice_events(lease_id, invoice_ids: list, event_type: str) -> list[tuple]:
    invoices = Invoice.objects.select_related("lease").filter(id__in=invoice_ids)
    totals = ledger.invoice_totals([i.id for i in invoices])
    return [
        (lease_id, event_type, invoice_representation(i, totals[str(i.id)]))
        for i in sorted(invoices, key=lambda i: i.period_start)
    ]


def _status_events(changes: list[tuple]) -> list[tuple]:
    """The events of invoice status changes (ledger.invoices_refresh_status)."""
    events = []
    for lease_id, invoice_id, _previous, status in changes:
        if status == I.PAID:
            events += _invoice_events(lease_id, [invoice_id], "invoice.paid")
    return events


def _settle_credit(lease: Lease, actor: str) -> list[tuple]:
    """Move the lease's credit onto its unpaid invoices: the events of what moved."""
    moves = ledger.credit_apply(lease_ids=[lease.id], actor=actor)
    if not moves:
        return []
    changes = ledger.invoices_refresh_status([invoice_id for _, invoice_id, _ in moves])
    events = [
        (lease.id, "credit.applied", {"lease_id": str(lease.id), "invoice_id": str(invoice_id),
                                       "amount": f"{amount:.2f}", "currency": lease.currency})
        for _, invoice_id, amount in moves
    ]  # fmt: skip
    return events + _status_events(changes)


def _transition(lease: Lease, target: str, **fields) -> None:
    lease_transition_check(lease.status, target)
    lease.status = target
    for name, value in fields.items():
        setattr(lease, name, value)
    lease.save(update_fields=["status", "updated_at", *fields])


# -- directory copies (property-events, user-events) --------------------------------------
def property_apply(
    *, property_id, owner_id: str, title: str, address: str, time_zone: str | None,
    status: str, version: int,
) -> bool:  # fmt: skip
    """Apply a property snapshot if newer than the one held; a changed zone moves the
    live leases of the property with it. False for an old or repeated version."""
    zone = _zone(time_zone)
    current = Property.objects.select_for_update().filter(pk=property_id).first()
    if current is not None and current.version >= version:
        return False
    Property.objects.update_or_create(
        pk=property_id,
        defaults={"owner_id": owner_id, "title": title[:200], "address": address[:500],
                  "time_zone": zone, "status": status[:16], "version": version},
    )  # fmt: skip
    if current is None or current.time_zone != zone:
        Lease.objects.filter(property_id=property_id, status__in=LIVE).exclude(
            time_zone=zone
        ).update(time_zone=zone, updated_at=timezone.now())
    return True


def _zone(name: str | None) -> str:
    """An IANA zone this machine knows, else UTC (an older event has none)."""
    from zoneinfo import ZoneInfo

    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return "UTC"
    return name


def person_apply(*, person_id: str, fields: dict, version: int) -> bool:
    current = Person.objects.select_for_update().filter(pk=person_id).first()
    if current is not None and current.version >= version:
        return False
    Person.objects.update_or_create(pk=person_id, defaults={**fields, "version": version})
    return True


# -- creating leases -----------------------------------------------------------------------
def _defaults() -> dict:
    return {
        "late_fee_kind": settings.RENT_DEFAULT_LATE_FEE_KIND,
        "late_fee_amount": Decimal(settings.RENT_DEFAULT_LATE_FEE_AMOUNT),
        "grace_days": settings.RENT_DEFAULT_GRACE_DAYS,
        "reminder_days": settings.RENT_DEFAULT_REMINDER_DAYS,
        "notice_days": settings.RENT_DEFAULT_NOTICE_DAYS,
    }


def _issue_due(lease: Lease, *, first_period: bool = False) -> list[tuple]:
    """Issue the lease's invoices due by today in its zone plus the lead time, from its
    start (with `first_period`, its first one whenever it starts: a booking's checkout
    paid it already). The events."""
    today = ledger.local_today(lease.time_zone)
    horizon = today + timedelta(days=settings.RENT_INVOICE_LEAD_DAYS)
    if first_period:
        horizon = max(horizon, lease.start_date)
    if horizon < lease.start_date:
        return []
    issued = ledger.invoices_issue(
        d=today, horizon=horizon, since=lease.start_date, lease_ids=[lease.id]
    )
    return _invoice_events(lease.id, [i for _, i in issued], "invoice.issued")


def _start_status(lease: Lease) -> str:
    return L.ACTIVE if lease.start_date <= ledger.local_today(lease.time_zone) else L.UPCOMING


def lease_create_from_booking(*, booking: dict) -> tuple[Lease, bool]:
    """A confirmed booking becomes a lease, once per booking. Its checkout collected the
    first month and the deposit: the first period is issued and settled by that payment
    (any excess over a prorated first period is credit), the deposit is held."""
    booking_id = booking["id"]
    existing = Lease.objects.filter(booking_id=booking_id).first()
    if existing is not None:
        return existing, False
    move_in = date.fromisoformat(booking["move_in_date"])
    prop = Property.objects.filter(pk=booking["property_id"]).first()
    monthly, deposit = Decimal(booking["monthly_amount"]), Decimal(booking["deposit_amount"])
    paid = Decimal(booking.get("amount_paid") or "0")
    with transaction.atomic():
        lease = Lease(
            booking_id=booking_id,
            tenant_id=str(booking["tenant_id"]),
            landlord_id=str(booking["owner_id"]),
            property_id=booking["property_id"],
            room_id=booking.get("room_id"),
            quantity=int(booking.get("quantity") or 1),
            currency=str(booking["currency"]).upper(),
            monthly_rent=monthly,
            due_day=policies.due_day_for(move_in),
            start_date=move_in,
            deposit_held=min(deposit, paid),
            time_zone=prop.time_zone if prop else "UTC",
            created_by="booking",
            **_defaults(),
        )
        lease.status = _start_status(lease)
        lease.save()
        events = [_lease_event(lease, "lease.created")]
        events += _issue_due(lease, first_period=True)
        rent_paid = max(min(monthly, paid - lease.deposit_held), ZERO)
        if rent_paid > 0:
            first = lease.invoices.order_by("period_start").first()
            payment = Payment.objects.create(
                lease=lease, invoice=first, kind=PaymentKind.CHECKOUT,
                status=PaymentStatus.SUCCEEDED, amount=rent_paid, currency=lease.currency,
                booking_id=booking_id, payer_id=lease.tenant_id, succeeded_at=timezone.now(),
            )  # fmt: skip
            events += _apply_payment(lease, payment, actor="booking")
        rent_events_publish(events)
    return lease, True


def lease_end_for_booking(*, booking: dict, event_type: str) -> str:
    """`booking.cancelled` / `booking.refunded`: before move-in the lease ends; its
    invoices are voided, what booking refunded is recorded, the deposit settled."""
    with transaction.atomic():
        lease = Lease.objects.select_for_update().filter(booking_id=booking["id"]).first()
        if lease is None:
            return "no_lease"
        if lease.status not in (L.UPCOMING,) and lease.start_date <= ledger.local_today(
            lease.time_zone
        ):
            logger.warning("booking ended after move-in; the lease goes on",
                           extra={"lease_id": str(lease.id)})  # fmt: skip
            return "after_move_in"
        if lease.status == L.TERMINATED:
            return "already_ended"
        events = []
        for invoice in lease.invoices.exclude(status=I.VOID).order_by("period_start"):
            events += _void(lease, invoice, actor="booking")
        refunded = Decimal(booking.get("amount_refunded") or "0")
        deposit_back = min(refunded, lease.deposit_held)
        rent_back = refunded - deposit_back
        entries = []
        if rent_back > 0:
            entries.append({"kind": EntryKind.REFUND, "amount": rent_back,
                            "memo": "Refunded with the booking's cancellation"})  # fmt: skip
        # What booking kept of the first month under its cancellation policy (money the
        # tenant paid here, online, stays their credit, for the landlord to refund).
        checkout = sum((p.amount for p in lease.payments.filter(kind=PaymentKind.CHECKOUT)), ZERO)
        kept_rent = max(checkout - rent_back, ZERO)
        if kept_rent > 0:
            entries.append(
                {
                    "kind": EntryKind.ADJUSTMENT,
                    "amount": kept_rent,
                    "memo": "Kept under the booking's cancellation policy",
                }
            )
        ledger.entries_add([{**e, "lease": lease, "created_by": "booking"} for e in entries])
        kept = lease.deposit_held - deposit_back
        DepositSettlement.objects.create(
            lease=lease, held=lease.deposit_held, returned_amount=deposit_back,
            deductions=[{"description": "Kept under the booking's cancellation policy",
                         "amount": f"{kept:.2f}", "kind": "other"}] if kept else [],
            settled_by="booking",
        )  # fmt: skip
        _transition(lease, L.TERMINATED, ended_on=ledger.local_today(lease.time_zone),
                    end_reason=f"{event_type.replace('.', '_')}_before_move_in")  # fmt: skip
        events.append(_lease_event(lease, "lease.terminated"))
        rent_events_publish(events)
        return "terminated"


def lease_create(*, actor, data: dict) -> Lease:
    """A landlord's lease for a tenant, typed in: on one of their properties."""
    prop = Property.objects.filter(pk=data["property_id"], owner_id=actor.id).first()
    if prop is None or prop.status == "deleted":
        raise PropertyNotFound()
    _check_terms(data)
    with transaction.atomic():
        fields = {**_defaults(), **{k: v for k, v in data.items() if v is not None}}
        fields.setdefault("due_day", policies.due_day_for(data["start_date"]))
        lease = Lease(landlord_id=actor.id, time_zone=prop.time_zone, created_by=actor.id, **fields)
        lease.currency = lease.currency.upper()
        lease.status = _start_status(lease)
        lease.save()
        events = [_lease_event(lease, "lease.created"), *_issue_due(lease)]
        rent_events_publish(events)
    return lease


def _check_terms(data: dict) -> None:
    currency = data.get("currency")
    for name in ("monthly_rent", "late_fee_cap", "deposit_held"):
        value = data.get(name)
        if value is not None and currency and not is_whole_in(value, currency):
            raise AmountOutOfRange(details={name: f"Not payable in {currency}."})
    if (
        data.get("late_fee_kind") == LateFeeKind.PERCENT
        and (data.get("late_fee_amount") or 0) > 100
    ):
        raise AmountOutOfRange(details={"late_fee_amount": "A percentage is at most 100."})
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        raise AmountOutOfRange("The end date is before the start date.",
                               details={"end_date": "Before start_date."})  # fmt: skip


def lease_update_terms(*, lease_id, actor, data: dict) -> Lease:
    """Edit terms before the lease starts; rent, currency, due day and start are locked
    once an invoice was issued."""
    with transaction.atomic():
        lease = _locked_lease(lease_id)
        if not lease_can_see(lease, actor=actor):
            raise LeaseNotFound()
        if not lease_can_change(lease, actor=actor):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied()
        changes = {k: v for k, v in data.items() if k in TERMS}
        if lease.status != L.UPCOMING:
            raise TermsLocked(details={"status": lease.status})
        if MONEY_TERMS & changes.keys() and lease.invoices.exists():
            raise TermsLocked(details={"locked": sorted(MONEY_TERMS & changes.keys())})
        merged = {name: getattr(lease, name) for name in TERMS} | changes
        _check_terms(merged)
        for name, value in changes.items():
            setattr(lease, name, value.upper() if name == "currency" else value)
        if "start_date" in changes and "due_day" not in changes:
            lease.due_day = policies.due_day_for(lease.start_date)
            changes["due_day"] = lease.due_day
        lease.save(update_fields=[*changes, "updated_at"])
        events = [_lease_event(lease, "lease.updated"), *_issue_due(lease)]
        rent_events_publish(events)
    return lease


# -- notice, renewal, termination, deposit ------------------------------------------------
def _cut_at(lease: Lease, last_day: date, actor: str) -> list[tuple]:
    """The lease now ends on `last_day`: invoices of later periods are voided, the one
    it falls in keeps only the days up to it (a negative adjustment)."""
    events = []
    for invoice in lease.invoices.exclude(status=I.VOID).filter(
        period_end__gt=last_day + timedelta(1)
    ):
        if invoice.period_start > last_day:
            events += _void(lease, invoice, actor=actor)
            continue
        period = policies.period_starting(invoice.period_start, due_day=lease.due_day,
                                          end_date=last_day)  # fmt: skip
        charged = ledger.invoice_totals([invoice.id])[str(invoice.id)]["rent"]
        kept = policies.period_amount(lease.monthly_rent, period, lease.currency)
        if charged > kept:
            ledger.entries_add([{"lease": lease, "invoice": invoice, "kind": EntryKind.ADJUSTMENT,
                                 "amount": kept - charged, "created_by": actor,
                                 "memo": f"Prorated to the last day, {last_day}"}])  # fmt: skip
            _move_overpaid_to_credit(lease, invoice, actor)
            events += _status_events(ledger.invoices_refresh_status([invoice.id]))
    return events


def _move_overpaid_to_credit(lease: Lease, invoice: Invoice, actor: str) -> None:
    balance = ledger.invoice_balance(invoice.id)
    if balance < 0:
        ledger.entries_add([
            {"lease": lease, "invoice": invoice, "kind": EntryKind.CREDIT, "amount": -balance,
             "memo": "Overpaid: moved to credit", "created_by": actor},
            {"lease": lease, "invoice": None, "kind": EntryKind.CREDIT, "amount": balance,
             "memo": "Overpaid invoice", "created_by": actor},
        ])  # fmt: skip


def lease_give_notice(*, lease_id, actor, move_out: date | None) -> Lease:
    """The tenant or the landlord ends the lease after its notice period."""
    with transaction.atomic():
        lease = _locked_lease(lease_id)
        if not lease_can_see(lease, actor=actor) or actor.role == "admin":
            raise LeaseNotFound() if not lease_can_see(lease, actor=actor) else _forbidden()
        if lease.status not in (L.ACTIVE, L.UPCOMING):
            raise IllegalTransition(
                f"Notice cannot be given on a lease that is {lease.status}.",
                details={"status": lease.status, "target": L.ENDING},
            )
        today = ledger.local_today(lease.time_zone)
        last_day = policies.notice_end_date(
            today=max(today, lease.start_date), notice_days=lease.notice_days,
            requested=move_out,
        )  # fmt: skip
        if lease.end_date is not None:
            last_day = min(last_day, lease.end_date)
        target = L.ENDING if lease.status == L.ACTIVE else L.TERMINATED
        if target == L.TERMINATED:
            raise IllegalTransition(
                "A lease that has not started is terminated, not given notice.",
                details={"status": lease.status, "target": L.ENDING},
            )
        events = _cut_at(lease, last_day, actor.id)
        _transition(lease, L.ENDING, end_date=last_day, notice_given_at=timezone.now(),
                    notice_given_by=actor.role)  # fmt: skip
        events.append(_lease_event(lease, "lease.notice_given"))
        events += _settle_credit(lease, actor.id)
        rent_events_publish(events)
    return lease


def _forbidden():
    from rest_framework.exceptions import PermissionDenied

    return PermissionDenied()


def lease_renew(*, lease_id, actor, end_date: date | None, monthly_rent: Decimal | None) -> Lease:
    """A fixed-term lease runs on: a later end date (None: month to month), maybe a new
    rent for the periods not yet invoiced."""
    with transaction.atomic():
        lease = _lease_for_landlord(lease_id, actor)
        if lease.end_date is None or lease.status not in (L.ACTIVE, L.ENDING):
            raise IllegalTransition(
                "Only a fixed-term lease that is active or ending can be renewed.",
                details={"status": lease.status, "target": L.ACTIVE},
            )
        if end_date is not None and end_date <= lease.end_date:
            raise AmountOutOfRange("The new end date must be after the current one.",
                                   details={"end_date": str(lease.end_date)})  # fmt: skip
        if lease.invoices.filter(period_end=lease.end_date + timedelta(1), prorated=True).exists():
            raise TermsLocked("The last, shortened period is invoiced already; create a new "
                              "lease instead.")  # fmt: skip
        if monthly_rent is not None:
            if not is_whole_in(monthly_rent, lease.currency):
                raise AmountOutOfRange(details={"monthly_rent": "Not payable in the currency."})
            lease.monthly_rent = monthly_rent
        lease.end_date = end_date
        fields = {"end_date": end_date, "monthly_rent": lease.monthly_rent,
                  "notice_given_at": None, "notice_given_by": ""}  # fmt: skip
        if lease.status == L.ENDING:
            _transition(lease, L.ACTIVE, **fields)
        else:
            for name, value in fields.items():
                setattr(lease, name, value)
            lease.save(update_fields=[*fields, "updated_at"])
        events = [_lease_event(lease, "lease.renewed"), *_issue_due(lease)]
        rent_events_publish(events)
    return lease


def _lease_for_landlord(lease_id, actor) -> Lease:
    lease = _locked_lease(lease_id)
    if not lease_can_see(lease, actor=actor):
        raise LeaseNotFound()
    if not lease_can_change(lease, actor=actor):
        raise _forbidden()
    return lease


def lease_terminate(*, lease_id, actor, reason: str = "") -> Lease:
    """End a lease now (by agreement, before move-in): later periods are voided, the
    current one prorated to today."""
    with transaction.atomic():
        lease = _lease_for_landlord(lease_id, actor)
        lease_transition_check(lease.status, L.TERMINATED)
        today = ledger.local_today(lease.time_zone)
        last_day = max(today, lease.start_date - timedelta(1))
        events = (
            [
                e
                for inv in lease.invoices.exclude(status=I.VOID)
                for e in _void(lease, inv, actor.id)
            ]
            if last_day < lease.start_date
            else _cut_at(lease, last_day, actor.id)
        )
        _transition(lease, L.TERMINATED, ended_on=today,
                    end_reason=(reason or "terminated_by_landlord")[:64])  # fmt: skip
        events.append(_lease_event(lease, "lease.terminated"))
        events += _settle_credit(lease, actor.id)
        rent_events_publish(events)
    return lease


def lease_return_deposit(*, lease_id, actor, deductions: list[dict]) -> Lease:
    """The deposit back at the end, minus itemized deductions; a deduction of kind
    `unpaid_rent` pays what the tenant still owes."""
    with transaction.atomic():
        lease = _lease_for_landlord(lease_id, actor)
        if lease.status not in (L.ENDING, L.ENDED, L.TERMINATED):
            raise IllegalTransition(
                "The deposit is returned once the lease is ending or over.",
                details={"status": lease.status, "target": "deposit_returned"},
            )
        if DepositSettlement.objects.filter(lease=lease).exists():
            raise DepositSettled()
        total = sum((d["amount"] for d in deductions), ZERO)
        if total > lease.deposit_held or any(d["amount"] <= 0 for d in deductions):
            raise AmountOutOfRange(details={"deductions": f"At most {lease.deposit_held:.2f}."})
        arrears = sum((d["amount"] for d in deductions if d.get("kind") == "unpaid_rent"), ZERO)
        owed = ledger.lease_money(lease.id)["balance"]
        if arrears > max(owed, ZERO):
            raise AmountOutOfRange(details={"deductions": f"The tenant owes {owed:.2f}."})
        events = []
        if arrears:
            ledger.entries_add([{"lease": lease, "kind": EntryKind.DEPOSIT_APPLIED,
                                 "amount": -arrears, "created_by": actor.id,
                                 "memo": "Deposit kept for unpaid rent"}])  # fmt: skip
            events += _settle_credit(lease, actor.id)
        DepositSettlement.objects.create(
            lease=lease, held=lease.deposit_held, returned_amount=lease.deposit_held - total,
            deductions=[{"description": d["description"], "amount": f"{d['amount']:.2f}",
                         "kind": d.get("kind") or "other"} for d in deductions],
            settled_by=actor.id,
        )  # fmt: skip
        events.append(_lease_event(lease, "deposit.returned"))
        rent_events_publish(events)
    return lease


# -- invoices: void, uncollectible, late fee waiver ---------------------------------------
def _void(lease: Lease, invoice: Invoice, actor: str) -> list[tuple]:
    """Reverse an invoice's charges and move what paid it to credit."""
    invoice_transition_check(invoice.status, I.VOID)
    totals = ledger.invoice_totals([invoice.id])[str(invoice.id)]
    paid = totals["paid"]
    charges = totals["balance"] + paid
    rows = []
    if paid:
        rows += [
            {"invoice": invoice, "kind": EntryKind.CREDIT, "amount": paid,
             "memo": "Voided: payments moved to credit"},
            {"invoice": None, "kind": EntryKind.CREDIT, "amount": -paid,
             "memo": "Payments of a voided invoice"},
        ]  # fmt: skip
    if charges:
        rows.append({"invoice": invoice, "kind": EntryKind.ADJUSTMENT, "amount": -charges,
                     "memo": "Voided: charges reversed"})  # fmt: skip
    ledger.entries_add([{**r, "lease": lease, "created_by": actor} for r in rows])
    Invoice.objects.filter(pk=invoice.pk).update(status=I.VOID, closed_at=timezone.now())
    AutopayAttempt.objects.filter(invoice=invoice, status=AttemptStatus.SCHEDULED).update(
        status=AttemptStatus.SKIPPED, updated_at=timezone.now()
    )
    return _invoice_events(lease.id, [invoice.id], "invoice.voided")


def _invoice_for_landlord(invoice_id, actor) -> tuple[Lease, Invoice]:
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise InvoiceNotFound()
    lease = _locked_lease(invoice.lease_id)
    if not lease_can_see(lease, actor=actor):
        raise InvoiceNotFound()
    if not lease_can_change(lease, actor=actor):
        raise _forbidden()
    return lease, Invoice.objects.select_for_update().get(pk=invoice_id)


def invoice_void(*, invoice_id, actor) -> Invoice:
    with transaction.atomic():
        lease, invoice = _invoice_for_landlord(invoice_id, actor)
        events = _void(lease, invoice, actor.id) + _settle_credit(lease, actor.id)
        rent_events_publish(events)
    invoice.refresh_from_db()
    return invoice


def invoice_mark_uncollectible(*, invoice_id, actor) -> Invoice:
    with transaction.atomic():
        lease, invoice = _invoice_for_landlord(invoice_id, actor)
        invoice_transition_check(invoice.status, I.UNCOLLECTIBLE)
        invoice.status, invoice.closed_at = I.UNCOLLECTIBLE, timezone.now()
        invoice.save(update_fields=["status", "closed_at"])
        rent_events_publish(_invoice_events(lease.id, [invoice.id], "invoice.uncollectible"))
    return invoice


def late_fee_waive(*, invoice_id, actor) -> Invoice:
    """Waive an invoice's late fee (once): a negative entry of the same amount."""
    with transaction.atomic():
        lease, invoice = _invoice_for_landlord(invoice_id, actor)
        fee = LedgerEntry.objects.filter(invoice=invoice, kind=EntryKind.LATE_FEE).first()
        if (
            fee is None
            or LedgerEntry.objects.filter(invoice=invoice, kind=EntryKind.WAIVER).exists()
        ):
            raise NoLateFee()
        ledger.entries_add([{"lease": lease, "invoice": invoice, "kind": EntryKind.WAIVER,
                             "amount": -fee.amount, "created_by": actor.id,
                             "memo": "Late fee waived"}])  # fmt: skip
        _move_overpaid_to_credit(lease, invoice, actor.id)
        changes = ledger.invoices_refresh_status([invoice.id])
        events = _invoice_events(lease.id, [invoice.id], "late_fee.waived")
        events += _status_events(changes) + _settle_credit(lease, actor.id)
        rent_events_publish(events)
    invoice.refresh_from_db()
    return invoice


# -- paying an invoice ---------------------------------------------------------------------
def payment_fingerprint(invoice_id, amount: Decimal) -> str:
    return hashlib.sha256(f"{invoice_id}|{amount:.2f}".encode()).hexdigest()


def invoice_pay(
    *, invoice_id, actor, amount: Decimal | None, currency: str | None,
    idempotency_key: str | None,
) -> tuple[Payment, bool]:  # fmt: skip
    """The tenant pays an invoice (all of it by default, or part, or more: the excess
    is credit): a pending payment and its PaymentIntent (the client secret confirms it
    with Stripe.js; Stripe's webhook settles it). Returns (payment, created)."""
    invoice = Invoice.objects.select_related("lease").filter(pk=invoice_id).first()
    if invoice is None or not lease_can_see(invoice.lease, actor=actor):
        raise InvoiceNotFound()
    if actor.role != "tenant":
        raise _forbidden()
    replayed = _replay(actor.id, idempotency_key, invoice_id, amount)
    if replayed is not None:
        return replayed, False
    try:
        with transaction.atomic():
            lease = _locked_lease(invoice.lease_id)
            invoice = Invoice.objects.get(pk=invoice_id)
            if invoice.status not in COLLECTIBLE:
                raise NotPayable(details={"status": invoice.status})
            if currency is not None and currency.upper() != lease.currency:
                raise CurrencyMismatch(details={"currency": lease.currency})
            balance = ledger.invoice_balance(invoice.id)
            amount = balance if amount is None else amount
            cap = policies.overpayment_cap(balance=balance, monthly_rent=lease.monthly_rent)
            if amount <= 0 or amount > cap or not is_whole_in(amount, lease.currency):
                raise AmountOutOfRange(
                    details={"amount": f"More than 0 and at most {cap:.2f} {lease.currency}.",
                             "balance": f"{balance:.2f}"}
                )  # fmt: skip
            payment = Payment.objects.create(
                lease=lease, invoice=invoice, kind=PaymentKind.ONLINE, status=PaymentStatus.PENDING,
                amount=amount, currency=lease.currency, payer_id=actor.id,
                idempotency_key=idempotency_key or "",
                request_fingerprint=payment_fingerprint(invoice_id, amount),
            )  # fmt: skip
    except IntegrityError:
        replayed = _replay(actor.id, idempotency_key, invoice_id, amount)
        if replayed is not None:
            return replayed, False
        raise
    return payment_ensure_intent(payment), True


def _replay(payer_id: str, key: str | None, invoice_id, amount) -> Payment | None:
    if not key:
        return None
    payment = Payment.objects.filter(payer_id=payer_id, idempotency_key=key).first()
    if payment is None:
        return None
    if str(payment.invoice_id) != str(invoice_id) or (
        amount is not None
        and payment.request_fingerprint != payment_fingerprint(invoice_id, amount)
    ):
        raise IdempotencyKeyReused(details={"payment_id": str(payment.id)})
    return payment_ensure_intent(payment)


def payment_ensure_intent(payment: Payment) -> Payment:
    """Give a pending online payment its PaymentIntent (again after a failed attempt:
    the Stripe idempotency key makes it the same one)."""
    if payment.status != PaymentStatus.PENDING or payment.payment_intent_id:
        return payment
    lease = payment.lease
    charge = payments.create_payment_intent(payment, lease.stripe_customer_id)
    Payment.objects.filter(pk=payment.pk, payment_intent_id="").update(
        payment_intent_id=charge.payment_intent_id, client_secret=charge.client_secret,
        updated_at=timezone.now(),
    )  # fmt: skip
    payment.refresh_from_db()
    return payment


def _apply_payment(lease: Lease, payment: Payment, actor: str) -> list[tuple]:
    """Post a succeeded payment: onto its invoice up to the balance, the rest to credit
    (then credit moves onto other unpaid invoices). The events."""
    on_invoice = ZERO
    invoice = payment.invoice
    if invoice is not None and invoice.status in COLLECTIBLE:
        on_invoice = min(payment.amount, max(ledger.invoice_balance(invoice.id), ZERO))
    rows = []
    if on_invoice:
        rows.append({"invoice": invoice, "amount": -on_invoice, "memo": "Payment"})
    if payment.amount - on_invoice:
        rows.append({"invoice": None, "amount": on_invoice - payment.amount,
                     "memo": "Payment beyond the invoice's balance: credit"})  # fmt: skip
    ledger.entries_add([
        {**row, "lease": lease, "kind": EntryKind.PAYMENT, "payment": payment, "created_by": actor}
        for row in rows
    ])  # fmt: skip
    payment.refresh_from_db()
    events = [(lease.id, "payment.succeeded", payment_representation(payment))]
    if on_invoice:
        events += _status_events(ledger.invoices_refresh_status([invoice.id]))
    return events + _settle_credit(lease, actor)


# -- Stripe's answers (leases/webhooks.py, the autopay task) ------------------------------
def _mismatch(payment: Payment, *, intent_id, amount_minor, currency) -> str | None:
    if payment.payment_intent_id and intent_id != payment.payment_intent_id:
        return PaymentIssueKind.PAYMENT_MISMATCH
    if not isinstance(currency, str) or currency.upper() != payment.currency.upper():
        return PaymentIssueKind.CURRENCY_MISMATCH
    if not isinstance(amount_minor, int) or amount_minor != minor_units(
        payment.amount, payment.currency
    ):
        return PaymentIssueKind.AMOUNT_MISMATCH
    return None


def payment_succeeded(
    *, payment_id, intent_id: str | None, amount_minor, currency, stripe_event_id: str = "",
) -> str:  # fmt: skip
    """A PaymentIntent succeeded: checked against the payment, then posted once."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "unknown_payment"
    with transaction.atomic():
        lease = _locked_lease(payment.lease_id)
        payment = Payment.objects.select_related("invoice").get(pk=payment_id)
        mismatch = _mismatch(payment, intent_id=intent_id, amount_minor=amount_minor,
                             currency=currency)  # fmt: skip
        if mismatch is not None:
            payment_issue_record(
                lease=lease, payment=payment, kind=mismatch, stripe_event_id=stripe_event_id,
                expected={"payment_intent": payment.payment_intent_id or None,
                          "amount_minor": minor_units(payment.amount, payment.currency),
                          "currency": payment.currency.lower()},
                received={"payment_intent": intent_id, "amount_minor": amount_minor,
                          "currency": currency},
                message="A PaymentIntent does not match its payment; nothing changed.",
            )  # fmt: skip
            return "flagged"
        if payment.status == PaymentStatus.SUCCEEDED:
            return "already_settled"
        if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            return "ignored"
        payment.status = PaymentStatus.SUCCEEDED
        payment.payment_intent_id = payment.payment_intent_id or (intent_id or "")
        payment.succeeded_at = timezone.now()
        payment.failure_code = payment.failure_message = ""
        payment.save(update_fields=["status", "payment_intent_id", "succeeded_at",
                                    "failure_code", "failure_message", "updated_at"])  # fmt: skip
        AutopayAttempt.objects.filter(payment=payment).update(
            status=AttemptStatus.SUCCEEDED, updated_at=timezone.now()
        )
        rent_events_publish(_apply_payment(lease, payment, actor="stripe"))
        return "settled"


def payment_failed(
    *, payment_id, intent_id: str | None, code: str, message: str, failed_on: date | None = None,
) -> str:  # fmt: skip
    """A charge failed: the payment is failed; an autopay attempt gets its retry on the
    schedule (none after a hard decline or the last attempt: the tenant and landlord
    are told)."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "unknown_payment"
    with transaction.atomic():
        lease = _locked_lease(payment.lease_id)
        payment = Payment.objects.get(pk=payment_id)
        if payment.status != PaymentStatus.PENDING:
            return "ignored"
        if intent_id and payment.payment_intent_id and intent_id != payment.payment_intent_id:
            return "ignored"
        payment.status = PaymentStatus.FAILED
        payment.failure_code, payment.failure_message = code[:64], message[:2000]
        payment.save(update_fields=["status", "failure_code", "failure_message", "updated_at"])
        events = [(lease.id, "payment.failed", payment_representation(payment))]
        attempt = AutopayAttempt.objects.select_for_update().filter(payment=payment).first()
        result = "failed"
        if attempt is not None:
            attempt.status, attempt.decline_code = AttemptStatus.FAILED, code[:64]
            attempt.error = message[:2000]
            attempt.save(update_fields=["status", "decline_code", "error", "updated_at"])
            # The day it failed: today in the lease's zone (a cycle run ahead of time,
            # a backfill: the attempt's own date).
            failed_on = failed_on or max(ledger.local_today(lease.time_zone), attempt.scheduled_for)
            retry_on = policies.next_attempt_date(
                number=attempt.number, failed_on=failed_on, decline_code=code
            )
            if retry_on is not None:
                AutopayAttempt.objects.get_or_create(
                    invoice_id=attempt.invoice_id, number=attempt.number + 1,
                    defaults={"lease": lease, "scheduled_for": retry_on,
                              "status": AttemptStatus.SCHEDULED},
                )  # fmt: skip
                result = "retry_scheduled"
            else:
                _, created = InvoiceNotice.objects.get_or_create(
                    invoice_id=attempt.invoice_id, kind=NoticeKind.AUTOPAY_EXHAUSTED,
                    defaults={"for_date": failed_on},
                )  # fmt: skip
                if created:
                    events += _invoice_events(lease.id, [attempt.invoice_id], "autopay.exhausted")
                result = "hard_decline" if code in policies.HARD_DECLINES else "exhausted"
        rent_events_publish(events)
        return result


def setup_succeeded(*, lease_id, setup_intent_id: str, payment_method_id: str) -> str:
    """A SetupIntent succeeded: the card (Stripe's payment method id) is saved."""
    with transaction.atomic():
        lease = Lease.objects.select_for_update().filter(pk=lease_id).first()
        if lease is None:
            return "unknown_lease"
        if not lease.setup_intent_id or setup_intent_id != lease.setup_intent_id:
            return "ignored"
        lease.payment_method_id = payment_method_id[:255]
        lease.save(update_fields=["payment_method_id", "updated_at"])
        rent_events_publish([_lease_event(lease, "card.saved")])
        return "card_saved"


def stripe_event_record(*, event_id: str, event_type: str) -> bool:
    """Record a Stripe event as handled, in the caller's transaction; False if it was
    handled before (a redelivery, a concurrent duplicate)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {StripeEvent._meta.db_table} (id, type, received_at) "
            "VALUES (%s, %s, now()) ON CONFLICT (id) DO NOTHING RETURNING id",
            [event_id, event_type[:100]],
        )
        return cursor.fetchone() is not None


def stripe_events_purge() -> int:
    days = settings.RENT_STRIPE_EVENT_RETENTION_DAYS
    return delete_older_than(StripeEvent._meta.db_table, "received_at", timedelta(days=days))


def payment_issue_record(*, lease, payment, kind: str, expected: dict, received: dict,
                         message: str, stripe_event_id: str = "") -> PaymentIssue:  # fmt: skip
    logger.error("payment issue flagged", extra={"kind": kind, "stripe_event_id": stripe_event_id})
    return PaymentIssue.objects.create(
        lease=lease, payment=payment, kind=kind, stripe_event_id=stripe_event_id,
        expected=expected, received=received, message=message,
    )  # fmt: skip


# -- the saved card and autopay ------------------------------------------------------------
def _lease_for_tenant(lease_id, actor) -> Lease:
    lease = _locked_lease(lease_id)
    if not lease_can_see(lease, actor=actor):
        raise LeaseNotFound()
    if actor.role != "tenant":
        raise _forbidden()
    return lease


def card_setup(*, lease_id, actor, key: str) -> dict:
    """A SetupIntent to save the tenant's card for this lease (Stripe.js confirms it;
    Stripe's `setup_intent.succeeded` webhook saves it)."""
    lease = Lease.objects.filter(pk=lease_id).first()
    if lease is None or not lease_can_see(lease, actor=actor):
        raise LeaseNotFound()
    if actor.role != "tenant":
        raise _forbidden()
    if lease.status not in LIVE:
        raise IllegalTransition(
            f"A lease that is {lease.status} takes no card.",
            details={"status": lease.status, "target": "card_saved"},
        )
    customer = payments.ensure_customer(lease)
    intent_id, secret = payments.create_setup_intent(lease, customer, key)
    with transaction.atomic():
        lease = _locked_lease(lease_id)
        lease.stripe_customer_id, lease.setup_intent_id = customer, intent_id
        lease.save(update_fields=["stripe_customer_id", "setup_intent_id", "updated_at"])
    return {"lease_id": str(lease.id), "setup_intent_id": intent_id, "client_secret": secret,
            "customer_id": customer}  # fmt: skip


def card_remove(*, lease_id, actor) -> Lease:
    with transaction.atomic():
        lease = _lease_for_tenant(lease_id, actor)
        lease.payment_method_id, lease.autopay = "", False
        lease.save(update_fields=["payment_method_id", "autopay", "updated_at"])
        rent_events_publish([_lease_event(lease, "lease.updated")])
    return lease


def autopay_set(*, lease_id, actor, enabled: bool) -> Lease:
    with transaction.atomic():
        lease = _lease_for_tenant(lease_id, actor)
        if enabled and not lease.payment_method_id:
            raise NoPaymentMethod()
        if lease.autopay != enabled:
            lease.autopay = enabled
            lease.save(update_fields=["autopay", "updated_at"])
            if not enabled:
                AutopayAttempt.objects.filter(lease=lease, status=AttemptStatus.SCHEDULED).update(
                    status=AttemptStatus.SKIPPED, updated_at=timezone.now()
                )
            rent_events_publish([_lease_event(lease, "lease.updated")])
    return lease


def card_simulate_decline(*, lease_id, actor, decline_code: str) -> Lease:
    """Dev only (the simulator): the next charge of the saved card fails with this code."""
    with transaction.atomic():
        lease = _lease_for_tenant(lease_id, actor)
        lease.simulate_decline = decline_code[:64]
        lease.save(update_fields=["simulate_decline", "updated_at"])
    return lease


def autopay_attempt_run(*, attempt_id) -> str:
    """One autopay attempt, queued by the daily cycle: charge the invoice's balance off
    session with the key (invoice, attempt number), so a task run twice is one charge.
    Declined: the payment fails and the retry schedule decides; Stripe unreachable: the
    attempt goes back to the queue for the sweeper."""
    with transaction.atomic():
        attempt = (
            AutopayAttempt.objects.select_for_update(skip_locked=True)
            .filter(pk=attempt_id, status__in=[AttemptStatus.QUEUED, AttemptStatus.PROCESSING])
            .first()
        )
        if attempt is None:
            return "nothing_to_do"
        lease = _locked_lease(attempt.lease_id)
        invoice = Invoice.objects.get(pk=attempt.invoice_id)
        balance = ledger.invoice_balance(invoice.id)
        if attempt.payment_id is None and (
            invoice.status not in COLLECTIBLE or not lease.autopay or not lease.payment_method_id
            or balance <= 0
        ):  # fmt: skip
            attempt.status = AttemptStatus.SKIPPED
            attempt.save(update_fields=["status", "updated_at"])
            return "skipped"
        payment = attempt.payment
        if payment is None:
            payment = Payment.objects.create(
                lease=lease, invoice=invoice, kind=PaymentKind.AUTOPAY,
                status=PaymentStatus.PENDING, amount=balance, currency=lease.currency,
                payer_id=lease.tenant_id,
            )  # fmt: skip
            attempt.payment = payment
        elif payment.status != PaymentStatus.PENDING:
            return "settled"
        elif payment.payment_intent_id.startswith("pi_sim_"):
            return "awaiting_simulator"  # its simulated answer is on its way
        attempt.status = AttemptStatus.PROCESSING
        attempt.save(update_fields=["status", "payment", "updated_at"])
        decline = lease.simulate_decline if settings.PAYMENT_SIMULATOR_ENABLED else ""
        if decline:
            from rentezy_common.payments.simulator import sim_id

            lease.simulate_decline = ""
            lease.save(update_fields=["simulate_decline", "updated_at"])
            Payment.objects.filter(pk=payment.pk).update(payment_intent_id=sim_id("pi"))
            enqueue_on_commit(TASK_SIMULATE_ANSWER, str(payment.id), decline)
        customer, method = lease.stripe_customer_id, lease.payment_method_id
        key = f"rent-autopay-{invoice.id}-{attempt.number}"
    if decline:
        return "simulated"
    try:
        charge = payments.charge_off_session(
            payment, customer_id=customer, payment_method_id=method, key=key
        )
    except payments.Refused as exc:
        return payment_failed(payment_id=payment.id, intent_id=None,
                              code=exc.decline_code or "refused", message=exc.message)  # fmt: skip
    except Exception as exc:  # PaymentProviderUnavailable: the sweeper queues it again
        AutopayAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.PROCESSING).update(
            status=AttemptStatus.QUEUED, queued_at=timezone.now(), error=str(exc)[:2000],
            updated_at=timezone.now(),
        )  # fmt: skip
        logger.warning("autopay charge not made; queued again", extra={"attempt": str(attempt_id)})
        return "retry_later"
    Payment.objects.filter(pk=payment.pk, payment_intent_id="").update(
        payment_intent_id=charge.payment_intent_id
    )
    if charge.status != "succeeded" and settings.PAYMENT_SIMULATOR_ENABLED:
        # stripe-mock takes every charge but never says `succeeded` nor sends webhooks:
        # the simulator sends the webhook Stripe would (dev and tests only).
        enqueue(TASK_SIMULATE_ANSWER, str(payment.id), "")
        return "simulated"
    if charge.status == "succeeded":
        return payment_succeeded(
            payment_id=payment.id, intent_id=charge.payment_intent_id,
            amount_minor=minor_units(payment.amount, payment.currency),
            currency=payment.currency.lower(),
        )  # fmt: skip
    return "processing"  # Stripe's webhook settles it


# -- refunds -------------------------------------------------------------------------------
def refund_create(
    *, payment_id, actor, amount: Decimal, destination: str, reason: str = ""
) -> Refund:
    """The landlord gives back part or all of a payment: as credit for later rent (at
    once), or to the card (Stripe, from a task). A card refund takes what it can from
    the tenant's credit and records the rest as goodwill, so it never makes a debt."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise PaymentNotFound()
    with transaction.atomic():
        lease = _locked_lease(payment.lease_id)
        if not lease_can_see(lease, actor=actor):
            raise PaymentNotFound()
        if not lease_can_change(lease, actor=actor):
            raise _forbidden()
        payment = Payment.objects.prefetch_related("refunds").get(pk=payment_id)
        if payment.status != PaymentStatus.SUCCEEDED:
            raise NotRefundable(details={"status": payment.status})
        left = refundable(payment)
        if amount <= 0 or amount > left or not is_whole_in(amount, payment.currency):
            raise AmountOutOfRange(details={"amount": f"More than 0 and at most {left:.2f}."})
        if destination == RefundDestination.CARD and (
            payment.kind == PaymentKind.CHECKOUT or not payment.payment_intent_id
        ):
            raise NotRefundable("This payment was made at the booking's checkout: booking "
                                "refunds it.")  # fmt: skip
        refund = Refund.objects.create(
            payment=payment, lease=lease, amount=amount, destination=destination,
            status=RefundStatus.PENDING, reason=reason[:500], requested_by=actor.id,
        )  # fmt: skip
        if destination == RefundDestination.CREDIT:
            ledger.entries_add([{"lease": lease, "kind": EntryKind.CREDIT, "amount": -amount,
                                 "refund": refund, "created_by": actor.id,
                                 "memo": reason or "Refunded as credit"}])  # fmt: skip
            refund.status = RefundStatus.SUCCEEDED
            refund.save(update_fields=["status", "updated_at"])
            events = [(lease.id, "refund.issued", refund_representation(refund))]
            rent_events_publish(events + _settle_credit(lease, actor.id))
        else:
            refund.queued_at = timezone.now()
            refund.save(update_fields=["queued_at", "updated_at"])
            enqueue_on_commit(TASK_ISSUE_REFUND, str(refund.id))
    return refund


def refund_attempt(*, refund_id) -> str:
    """One attempt at a card refund (locked, one at a time; Stripe's idempotency key
    makes a repeat the same refund). Succeeded: the ledger records it. Refused: failed
    and a PaymentIssue. Unreachable: retried with backoff up to
    RENT_REFUND_MAX_ATTEMPTS, then failed and a PaymentIssue."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(skip_locked=True)
            .select_related("payment")
            .filter(pk=refund_id, status=RefundStatus.PENDING, destination=RefundDestination.CARD)
            .first()
        )
        if refund is None:
            return "nothing_to_do"
        now = timezone.now()
        if refund.next_attempt_at and refund.next_attempt_at > now:
            return "not_due"
        lease = _locked_lease(refund.lease_id)
        refund.attempts += 1
        try:
            refund.stripe_refund_id = payments.refund(refund)
        except payments.Refused as exc:
            _refund_failed(refund, f"Stripe refused the refund: {exc}")
            return "failed"
        except Exception as exc:  # PaymentProviderUnavailable
            refund.last_error = str(exc)[:2000]
            if refund.attempts >= settings.RENT_REFUND_MAX_ATTEMPTS:
                _refund_failed(refund, f"No answer from Stripe after {refund.attempts} attempts.")
                return "failed"
            refund.next_attempt_at = now + policies.refund_retry_delay(refund.attempts)
            refund.save(update_fields=["attempts", "last_error", "next_attempt_at", "updated_at"])
            return "retry_scheduled"
        credit = ledger.lease_money(lease.id)["credit"]
        _, goodwill = policies.refund_split(amount=refund.amount, credit=credit)
        rows = [{"kind": EntryKind.REFUND, "amount": refund.amount, "memo": "Refunded to the card"}]
        if goodwill:
            rows.append({"kind": EntryKind.ADJUSTMENT, "amount": -goodwill,
                         "memo": "Goodwill: the refund beyond the tenant's credit"})  # fmt: skip
        by = refund.requested_by
        ledger.entries_add(
            [{**r, "lease": lease, "refund": refund, "created_by": by} for r in rows]
        )
        refund.status = RefundStatus.SUCCEEDED
        refund.save(update_fields=["status", "attempts", "stripe_refund_id", "updated_at"])
        rent_events_publish([(lease.id, "refund.issued", refund_representation(refund))])
        return "refunded"


def _refund_failed(refund: Refund, message: str) -> None:
    refund.status = RefundStatus.FAILED
    refund.last_error = message[:2000]
    refund.save(update_fields=["status", "attempts", "last_error", "updated_at"])
    payment_issue_record(
        lease=refund.lease, payment=refund.payment, kind=PaymentIssueKind.REFUND_FAILED,
        expected={"refund": f"{refund.amount:.2f}"}, received={"attempts": refund.attempts},
        message=message,
    )  # fmt: skip
    rent_events_publish([(refund.lease_id, "refund.failed", refund_representation(refund))])


# -- the sweeper ---------------------------------------------------------------------------
def rent_sweep(limit: int = 500) -> dict:
    """Redo lost work: card refunds that are due, autopay attempts whose task was lost
    or whose worker died mid-charge (each queued again at most every
    RENT_REQUEUE_SECONDS; the services act once whatever the number of tasks)."""
    requeue = {"stamp": "queued_at", "requeue_seconds": settings.RENT_REQUEUE_SECONDS,
               "limit": limit}  # fmt: skip
    refunds = claim_due(
        Refund._meta.db_table,
        where="status = 'pending' AND destination = 'card' "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= now())",
        **requeue,
    )
    attempts = claim_due(
        AutopayAttempt._meta.db_table, where="status IN ('queued', 'processing')", **requeue
    )
    for refund_id in refunds:
        enqueue(TASK_ISSUE_REFUND, str(refund_id))
    for batch in chunks(attempts, settings.RENT_AUTOPAY_TASK_BATCH):
        enqueue(TASK_CHARGE_AUTOPAY, [str(a) for a in batch])
    return {"refunds": len(refunds), "attempts": len(attempts)}


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]
