"""Reads, and who may read what: a tenant sees their leases (and those leases' invoices,
payments, receipts and ledger), a landlord the leases of their properties, an admin
everything (read-only). Whether something exists is nobody else's business: 404."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from . import ledger
from .choices import InvoiceStatus, RefundStatus
from .errors import InvoiceNotFound, LeaseNotFound, PaymentNotFound
from .models import (
    AutopayAttempt,
    Invoice,
    Lease,
    LedgerEntry,
    Payment,
    PaymentIssue,
    Person,
    Property,
    Refund,
)


def lease_can_see(lease: Lease, *, actor) -> bool:
    if actor.role == "admin":
        return True
    if actor.role == "tenant":
        return lease.tenant_id == actor.id
    if actor.role == "landlord":
        return lease.landlord_id == actor.id
    return False


def lease_can_change(lease: Lease, *, actor) -> bool:
    """Landlords change their own leases; admins only look (operators act in /admin/)."""
    return actor.role == "landlord" and lease.landlord_id == actor.id


def lease_get_visible(*, lease_id, actor) -> Lease:
    lease = Lease.objects.select_related("deposit").filter(pk=lease_id).first()
    if lease is None or not lease_can_see(lease, actor=actor):
        raise LeaseNotFound()
    return lease


def lease_get_for_change(*, lease_id, actor, roles=("landlord",)) -> Lease:
    """The lease, if the actor may act on it in one of `roles`: 404 if they cannot see
    it, 403 if they can but not act (a tenant asking for a landlord's action)."""
    lease = lease_get_visible(lease_id=lease_id, actor=actor)
    if actor.role not in roles:
        raise PermissionDenied()
    return lease


def lease_list_visible(*, actor) -> QuerySet[Lease]:
    leases = Lease.objects.select_related("deposit").order_by("-created_at", "-id")
    if actor.role == "tenant":
        return leases.filter(tenant_id=actor.id)
    if actor.role == "landlord":
        return leases.filter(landlord_id=actor.id)
    if actor.role == "admin":
        return leases
    return leases.none()


def invoice_get_visible(*, invoice_id, actor) -> Invoice:
    invoice = Invoice.objects.select_related("lease").filter(pk=invoice_id).first()
    if invoice is None or not lease_can_see(invoice.lease, actor=actor):
        raise InvoiceNotFound()
    return invoice


def invoice_list_visible(*, actor) -> QuerySet[Invoice]:
    leases = lease_list_visible(actor=actor).order_by()
    return (
        Invoice.objects.select_related("lease")
        .filter(lease__in=leases.values("id"))
        .order_by("-period_start", "-id")
    )


def payment_get_visible(*, payment_id, actor) -> Payment:
    payment = (
        Payment.objects.select_related("lease", "invoice")
        .prefetch_related("refunds")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None or not lease_can_see(payment.lease, actor=actor):
        raise PaymentNotFound()
    return payment


def payment_list_visible(*, actor) -> QuerySet[Payment]:
    leases = lease_list_visible(actor=actor).order_by()
    return (
        Payment.objects.prefetch_related("refunds")
        .filter(lease__in=leases.values("id"))
        .order_by("-created_at", "-id")
    )


def entry_list(*, lease: Lease) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(lease=lease).order_by("id")


def attempt_list(*, invoice: Invoice) -> list[AutopayAttempt]:
    return list(AutopayAttempt.objects.filter(invoice=invoice).order_by("number"))


def refund_list(*, payment: Payment) -> list[Refund]:
    return list(payment.refunds.order_by("created_at"))


def refundable(payment: Payment) -> Decimal:
    """What is left to refund of a payment."""
    taken = sum(
        (r.amount for r in payment.refunds.all() if r.status != RefundStatus.FAILED),
        Decimal("0.00"),
    )
    return payment.amount - taken


def payment_issue_list() -> QuerySet[PaymentIssue]:
    return PaymentIssue.objects.order_by("-created_at", "-id")


def person(person_id: str) -> Person | None:
    return Person.objects.filter(pk=person_id).first()


def property_of(property_id) -> Property | None:
    return Property.objects.filter(pk=property_id).first()


def lease_local_today(lease: Lease) -> date:
    return ledger.local_today(lease.time_zone)


def rent_roll(*, actor, month: date) -> dict:
    """A month's rent of the actor's leases (a landlord's; everyone's for an admin):
    per invoice whose period starts in the month, what was charged, what came in and
    what is owed; totals per currency; the overdue ones (due date passed, in the
    lease's own zone, with something owed)."""
    if actor.role not in ("landlord", "admin"):
        raise PermissionDenied()
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    invoices = list(
        invoice_list_visible(actor=actor)
        .filter(period_start__gte=first, period_start__lt=following)
        .exclude(status=InvoiceStatus.VOID)
        .order_by("lease__property_id", "period_start", "id")[: settings.RENT_ROLL_MAX_ROWS]
    )
    totals = ledger.invoice_totals([i.id for i in invoices])
    names = person_names({i.lease.tenant_id for i in invoices})
    rows, by_currency, overdue = [], {}, []
    for invoice in invoices:
        lease, t = invoice.lease, totals[str(invoice.id)]
        charged = t["rent"] + t["late_fee"] - t["waived"] + t["adjustments"]
        today = ledger.local_today(lease.time_zone)
        days_overdue = (today - invoice.due_date).days if t["balance"] > 0 else 0
        row = {
            "lease_id": str(lease.id),
            "property_id": str(lease.property_id),
            "tenant_id": lease.tenant_id,
            "tenant_name": names.get(lease.tenant_id, ""),
            "invoice_id": str(invoice.id),
            "period_start": invoice.period_start.isoformat(),
            "due_date": invoice.due_date.isoformat(),
            "status": invoice.status,
            "currency": lease.currency,
            "expected": f"{charged:.2f}",
            "collected": f"{t['paid']:.2f}",
            "outstanding": f"{t['balance']:.2f}",
            "days_overdue": max(days_overdue, 0),
        }
        rows.append(row)
        sums = by_currency.setdefault(
            lease.currency, {"expected": Decimal(0), "collected": Decimal(0),
                             "outstanding": Decimal(0)}
        )  # fmt: skip
        sums["expected"] += charged
        sums["collected"] += t["paid"]
        sums["outstanding"] += t["balance"]
        if days_overdue > 0:
            overdue.append(row)
    return {
        "month": first.strftime("%Y-%m"),
        "generated_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "totals": [
            {"currency": currency, **{k: f"{v:.2f}" for k, v in sums.items()}}
            for currency, sums in sorted(by_currency.items())
        ],
        "rows": rows,
        "overdue": overdue,
    }


def person_names(user_ids) -> dict[str, str]:
    """{user id: the name a landlord sees} from the people directory (user-events)."""
    return {p.id: p.full_name or p.email for p in Person.objects.filter(id__in=set(user_ids))}
