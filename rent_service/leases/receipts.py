"""Receipts: a real PDF for every succeeded payment, made with fpdf2 (a maintained,
pure-Python PDF library): who paid whom, for which property and period, how much, and
what is left to pay on the invoice and on the lease.

Why a module of its own: it is an encoder, like representation.py, for another format.
fpdf2's built-in Helvetica covers Latin-1; other characters print as "?" (an embedded
Unicode font would lift that, at ~300 KB per receipt).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fpdf import FPDF

from . import ledger
from .models import Payment
from .selectors import person, property_of

KIND_LABELS = {
    "checkout": "Paid at the booking's checkout",
    "online": "Paid online (card)",
    "autopay": "Autopay (saved card)",
}


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _name(person_id: str) -> str:
    who = person(person_id)
    if who is None:
        return f"User {person_id}"
    return who.full_name or who.email or f"User {person_id}"


def receipt_pdf(payment: Payment) -> bytes:
    lease = payment.lease
    tenant, landlord = person(lease.tenant_id), person(lease.landlord_id)
    prop = property_of(lease.property_id)
    zone = (tenant.time_zone if tenant and tenant.time_zone else "") or lease.time_zone
    try:
        paid_at = payment.succeeded_at.astimezone(ZoneInfo(zone))
    except (ValueError, KeyError):
        paid_at = payment.succeeded_at
    invoice = payment.invoice
    money = ledger.lease_money(lease.id)
    lines = [
        ("Receipt", str(payment.id)),
        ("Paid on", f"{paid_at:%Y-%m-%d %H:%M} ({zone})"),
        ("Tenant", _name(lease.tenant_id)),
        ("Landlord", _name(lease.landlord_id)),
        ("Property", (prop.title if prop and prop.title else str(lease.property_id))),
    ]
    if prop and prop.address:
        lines.append(("Address", prop.address))
    if invoice is not None:
        last_day = invoice.period_end.toordinal() - 1
        from datetime import date

        lines.append(("Period", f"{invoice.period_start} to {date.fromordinal(last_day)}"))
        lines.append(("Due", str(invoice.due_date)))
    lines += [
        ("Method", KIND_LABELS.get(payment.kind, payment.kind)),
        ("Amount paid", f"{payment.amount:,.2f} {payment.currency}"),
    ]
    if invoice is not None:
        balance = ledger.invoice_balance(invoice.id)
        lines.append(("Left on this invoice", f"{max(balance, 0):,.2f} {payment.currency}"))
    lines.append(("Lease balance", f"{money['balance']:,.2f} {payment.currency}"))
    if money["credit"]:
        lines.append(("Credit for next rent", f"{money['credit']:,.2f} {payment.currency}"))

    pdf = FPDF(format="A4")
    pdf.set_title(f"Rent receipt {payment.id}")
    pdf.set_author("RentEzy")
    pdf.set_creator("RentEzy rent service")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "RentEzy - rent receipt", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.ln(4)
    for label, value in lines:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(55, 8, _latin1(label))
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 8, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(0, 5, _latin1(
        "Amounts are in the lease's currency. Landlord: "
        f"{landlord.email if landlord and landlord.email else lease.landlord_id}. "
        f"Lease {lease.id}."
    ))  # fmt: skip
    return bytes(pdf.output())
