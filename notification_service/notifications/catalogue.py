"""The message catalogue: which event becomes which message, for whom.

`messages_for(envelope, context)` returns the `Message`s one event produces (none for
events nobody is told about). Pure: no I/O; what it needs from the directory (names,
property titles, a lease's parties, time zones) comes in `context` (services builds
it). Each message names its category (the unit of preferences), whether it is critical
(security: preferences do not apply), its channels, and the thing it talks about with
the statuses in which it is still true, which the email is checked against when it is
sent (a checkout link for a hold paid meanwhile is not mailed).

Kinds are `<event type>` or `<event type>.<audience>` ("booking.confirmed.landlord");
the web app and the templates know messages by kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from .choices import Category


@dataclass
class Message:
    recipient_id: str
    kind: str
    category: str
    title: str
    body: str = ""
    link: str = ""  # a path of the web app ("/bookings/…"); the email makes it absolute
    action: str = ""  # the email's button
    data: dict = field(default_factory=dict)
    secret: str = ""  # a one-time token the link carries; stored apart, never in the API
    critical: bool = False
    in_app: bool = True
    email: bool = True
    address: str = ""  # send here instead of the directory's address (an email change)
    subject_kind: str = ""
    subject_ref: str = ""
    valid_while: list[str] = field(default_factory=list)
    valid_data: dict = field(default_factory=dict)


@dataclass
class Context:
    """What the catalogue may know beyond the event: filled by services."""

    names: dict[str, str] = field(default_factory=dict)  # user id -> full name
    time_zones: dict[str, str] = field(default_factory=dict)  # user id -> IANA zone
    property_titles: dict[str, str] = field(default_factory=dict)
    lease_parties: dict[str, dict] = field(default_factory=dict)  # lease id -> parties

    def name(self, user_id) -> str:
        return self.names.get(str(user_id)) or "Someone"

    def title(self, property_id) -> str:
        return self.property_titles.get(str(property_id)) or "your listing"


def money(amount, currency) -> str:
    return f"{currency} {amount}" if amount not in (None, "") else ""


def when(iso: str | None, zone: str | None) -> str:
    """A time for a person: in their zone, e.g. "Fri 4 Dec 2026, 14:30 (Asia/Kolkata)"."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
        tz = ZoneInfo(zone or "UTC")
    except (ValueError, KeyError):
        return str(iso)
    local = moment.astimezone(tz)
    return f"{local:%a %-d %b %Y, %H:%M} ({tz.key})"


Builder = Callable[[object, dict, Context], list[Message]]
BUILDERS: dict[str, Builder] = {}


def builds(*event_types: str):
    def register(function: Builder) -> Builder:
        for event_type in event_types:
            BUILDERS[event_type] = function
        return function

    return register


def messages_for(envelope, context: Context) -> list[Message]:
    builder = BUILDERS.get(envelope.type)
    if builder is None or not isinstance(envelope.payload, dict):
        return []
    return [m for m in builder(envelope, envelope.payload, context) if m.recipient_id]


# -- user-events: account and security ---------------------------------------------------
@builds("user.registered")
def _welcome(envelope, p, ctx):
    return [
        Message(
            recipient_id=str(p["id"]),
            kind="user.welcome",
            category=Category.ACCOUNT,
            title="Welcome to RentEzy",
            body=f"Hi {p.get('full_name') or 'there'}, your account is ready.",
            link="/",
            action="Open RentEzy",
        )
    ]


@builds("user.email_verification_requested")
def _confirm_email(envelope, p, ctx):
    return [
        Message(
            recipient_id=str(p["user_id"]),
            kind="user.email_verification",
            category=Category.SECURITY,
            critical=True,
            in_app=False,
            title="Confirm your email address",
            body=(
                f"Confirm that {p['email']} is your address. The link works once and "
                f"expires {when(p.get('expires_at'), ctx.time_zones.get(str(p['user_id'])))}."
            ),
            link="/account/confirm-email",
            action="Confirm my email",
            secret=str(p["token"]),
            address=str(p["email"]),
        )
    ]


@builds("user.password_reset_requested")
def _password_reset(envelope, p, ctx):
    return [
        Message(
            recipient_id=str(p["user_id"]),
            kind="user.password_reset",
            category=Category.SECURITY,
            critical=True,
            in_app=False,
            title="Reset your RentEzy password",
            body=(
                "Someone (hopefully you) asked to reset your password. The link works once "
                f"and expires {when(p.get('expires_at'), ctx.time_zones.get(str(p['user_id'])))}"
                ". If it was not you, ignore this email: your password stays as it is."
            ),
            link="/account/reset-password",
            action="Choose a new password",
            secret=str(p["token"]),
            address=str(p.get("email") or ""),
        )
    ]


@builds("user.password_changed")
def _password_changed(envelope, p, ctx):
    return [
        Message(
            recipient_id=str(p["id"]),
            kind="user.password_changed",
            category=Category.SECURITY,
            critical=True,
            title="Your password was changed",
            body="Your RentEzy password was changed and every other session signed out. "
            "If this was not you, reset your password now.",
            link="/account/",
            action="Review my account",
        )
    ]


@builds("user.new_device_login")
def _new_device_login(envelope, p, ctx):
    user_id = str(p["user_id"])
    where = f" (address {p['ip']})" if p.get("ip") else ""
    return [
        Message(
            recipient_id=user_id,
            kind="user.new_device_login",
            category=Category.SECURITY,
            critical=True,
            title=f"New sign-in from {p.get('device') or 'a new device'}",
            body=f"Your RentEzy account was signed in to from {p.get('device') or 'a new device'}"
            f"{where} on {when(p.get('at'), ctx.time_zones.get(user_id))}. If this was you, "
            "there is nothing to do. If not, reset your password now: that signs out every "
            "session.",
            link="/account/",
            action="Review my account",
        )
    ]


@builds("user.email_changed")
def _email_changed(envelope, p, ctx):
    previous = str(p.get("previous_email") or "")
    return [
        Message(
            recipient_id=str(p["id"]),
            kind="user.email_changed",
            category=Category.SECURITY,
            critical=True,
            title="Your email address was changed",
            body=f"Your RentEzy account now uses {p.get('email')}. If this was not you, "
            "contact support at once.",
            link="/account/",
            address=previous,  # the old address learns of it
        )
    ]


# -- booking-events ----------------------------------------------------------------------
def _booking_link(p) -> str:
    return f"/bookings/{p['id']}"


@builds("booking.held")
def _booking_held(envelope, p, ctx):
    tenant = str(p.get("tenant_id") or "")
    expires = when(p.get("expires_at"), ctx.time_zones.get(tenant))
    return [
        Message(
            recipient_id=tenant,
            kind="booking.held",
            category=Category.BOOKINGS,
            title=f"Your room at {ctx.title(p.get('property_id'))} is held",
            body=f"Pay {money(p.get('amount'), p.get('currency'))} before {expires} to "
            "confirm the booking; after that the room is released.",
            link=str(p.get("checkout_url") or _booking_link(p)),
            action="Pay now",
            data={"booking_id": p["id"], "expires_at": p.get("expires_at")},
            subject_kind="booking",
            subject_ref=str(p["id"]),
            valid_while=["PENDING"],
        )
    ]


@builds("booking.confirmed")
def _booking_confirmed(envelope, p, ctx):
    title = ctx.title(p.get("property_id"))
    data = {"booking_id": p["id"], "move_in_date": p.get("move_in_date")}
    return [
        Message(
            recipient_id=str(p.get("tenant_id") or ""),
            kind="booking.confirmed.tenant",
            category=Category.BOOKINGS,
            title=f"Booking confirmed: {title}",
            body=f"We received {money(p.get('amount_paid'), p.get('currency'))}. "
            f"Move-in: {p.get('move_in_date')}.",
            link=_booking_link(p),
            action="See the booking",
            data=data,
        ),
        Message(
            recipient_id=str(p.get("owner_id") or ""),
            kind="booking.confirmed.landlord",
            category=Category.BOOKINGS,
            title=f"New booking for {title}",
            body=f"{ctx.name(p.get('tenant_id'))} booked {p.get('quantity', 1)} unit(s), "
            f"moving in on {p.get('move_in_date')}.",
            link=_booking_link(p),
            action="See the booking",
            data=data,
        ),
    ]


@builds("booking.expired")
def _booking_expired(envelope, p, ctx):
    return [
        Message(
            recipient_id=str(p.get("tenant_id") or ""),
            kind="booking.expired",
            category=Category.BOOKINGS,
            title=f"Your hold on {ctx.title(p.get('property_id'))} expired",
            body="The payment did not arrive in time, so the room was released.",
            link=_booking_link(p),
            data={"booking_id": p["id"]},
        )
    ]


@builds("booking.cancelled")
def _booking_cancelled(envelope, p, ctx):
    title = ctx.title(p.get("property_id"))
    refund = p.get("amount_refunded")
    refund_line = (
        f" {money(refund, p.get('currency'))} will be refunded."
        if refund and refund != "0.00"
        else ""
    )
    by_landlord = p.get("reason") == "cancelled_by_landlord"
    return [
        Message(
            recipient_id=str(p.get("tenant_id") or ""),
            kind="booking.cancelled.tenant",
            category=Category.BOOKINGS,
            title=f"Booking cancelled: {title}",
            body=(
                "The landlord cancelled the booking."
                if by_landlord
                else "Your booking was cancelled."
            )
            + refund_line,
            link=_booking_link(p),
            data={"booking_id": p["id"]},
        ),
        Message(
            recipient_id=str(p.get("owner_id") or ""),
            kind="booking.cancelled.landlord",
            category=Category.BOOKINGS,
            title=f"Booking cancelled: {title}",
            body=f"The booking by {ctx.name(p.get('tenant_id'))} was cancelled; its units "
            "are free again.",
            link=_booking_link(p),
            data={"booking_id": p["id"]},
        ),
    ]


@builds("booking.refunded")
def _booking_refunded(envelope, p, ctx):
    late = p.get("reason") == "sold_out_after_payment"
    return [
        Message(
            recipient_id=str(p.get("tenant_id") or ""),
            kind="booking.refunded",
            category=Category.BOOKINGS,
            title="Your payment is being refunded",
            body=(
                "Your payment arrived after the hold expired and the room was taken meanwhile"
                if late
                else "Your payment arrived after the booking was cancelled"
            )
            + f": {money(p.get('amount_refunded') or p.get('amount_paid'), p.get('currency'))}"
            " goes back to your card.",
            link=_booking_link(p),
            data={"booking_id": p["id"], "reason": p.get("reason")},
        )
    ]


@builds("booking.payment_failed")
def _booking_payment_failed(envelope, p, ctx):
    failed = p.get("status") == "FAILED"
    return [
        Message(
            recipient_id=str(p.get("tenant_id") or ""),
            kind="booking.payment_failed",
            category=Category.BOOKINGS,
            title="Your payment did not go through",
            body="The room was released."
            if failed
            else "Try another card before the hold expires.",
            link=str(p.get("checkout_url") or _booking_link(p)) if not failed else _booking_link(p),
            action="" if failed else "Try again",
            data={"booking_id": p["id"]},
            subject_kind="booking",
            subject_ref=str(p["id"]),
            valid_while=["FAILED"] if failed else ["PENDING"],
        )
    ]


# -- rent-events ------------------------------------------------------------------------
def _lease(p, ctx) -> dict:
    lease_id = str(p.get("lease_id") or p.get("id") or "")
    return ctx.lease_parties.get(lease_id) or {}


def _parties(audience: str, *, tenant_id, landlord_id) -> list[tuple[str, str]]:
    """Whom a message for `audience` ("tenant", "landlord" or "both") goes to, as
    (audience, user id) pairs: a builder makes one Message per pair, its kind ending in
    the audience (each side reads its own text and keeps its own preferences)."""
    pairs = {"tenant": [("tenant", tenant_id)], "landlord": [("landlord", landlord_id)]}
    chosen = pairs["tenant"] + pairs["landlord"] if audience == "both" else pairs[audience]
    return [(who, str(user_id or "")) for who, user_id in chosen]


@builds("lease.created")
def _lease_created(envelope, p, ctx):
    title = ctx.title(p.get("property_id"))
    body = (
        f"Rent {money(p.get('monthly_rent'), p.get('currency'))} a month, due on day "
        f"{p.get('due_day')}, from {p.get('start_date')}."
    )
    return [
        Message(recipient_id=user_id, kind=f"lease.created.{who}",
                category=Category.RENT, title=f"Lease created: {title}", body=body,
                link="/rent/", action="See the lease", data={"lease_id": p.get("id")})
        for who, user_id in _parties("both", tenant_id=p.get("tenant_id"),
                                     landlord_id=p.get("landlord_id"))
    ]  # fmt: skip


@builds("invoice.issued")
def _invoice_issued(envelope, p, ctx):
    parties = _lease(p, ctx)
    return [
        Message(
            recipient_id=str(parties.get("tenant_id") or ""),
            kind="invoice.issued",
            category=Category.RENT,
            title=f"Rent invoice: {money(p.get('balance'), p.get('currency'))} "
            f"due {p.get('due_date')}",
            body=f"Your rent for {p.get('period_start')} to {p.get('period_end')} is due on "
            f"{p.get('due_date')}.",
            link="/rent/",
            action="Pay the invoice",
            data={"invoice_id": p.get("id"), "lease_id": p.get("lease_id")},
            subject_kind="invoice",
            subject_ref=str(p.get("id")),
            valid_while=["open"],
        )
    ]


@builds("invoice.reminder_due")
def _invoice_reminder(envelope, p, ctx):
    parties = _lease(p, ctx)
    return [
        Message(
            recipient_id=str(parties.get("tenant_id") or ""),
            kind="invoice.reminder",
            category=Category.RENT,
            title=f"Rent due {p.get('due_date')}: {money(p.get('balance'), p.get('currency'))}",
            body="A reminder: your rent is due soon.",
            link="/rent/",
            action="Pay now",
            data={"invoice_id": p.get("id")},
            subject_kind="invoice",
            subject_ref=str(p.get("id")),
            valid_while=["open"],
        )
    ]


@builds("invoice.overdue")
def _invoice_overdue(envelope, p, ctx):
    parties = _lease(p, ctx)
    return [
        Message(
            recipient_id=user_id,
            kind=f"invoice.overdue.{who}",
            category=Category.RENT,
            title=f"Rent overdue: {money(p.get('balance'), p.get('currency'))}",
            body=f"The rent due {p.get('due_date')} is unpaid."
            + (" A late fee may apply after the grace period." if who == "tenant" else ""),
            link="/rent/",
            data={"invoice_id": p.get("id")},
            subject_kind="invoice",
            subject_ref=str(p.get("id")),
            valid_while=["open"],
        )
        for who, user_id in _parties(
            "both", tenant_id=parties.get("tenant_id"), landlord_id=parties.get("landlord_id")
        )
    ]


@builds("late_fee.applied")
def _late_fee(envelope, p, ctx):
    parties = _lease(p, ctx)
    return [
        Message(
            recipient_id=str(parties.get("tenant_id") or ""),
            kind="late_fee.applied",
            category=Category.RENT,
            title=f"Late fee applied: {money(p.get('late_fee'), p.get('currency'))}",
            body=f"The invoice due {p.get('due_date')} now stands at "
            f"{money(p.get('balance'), p.get('currency'))}.",
            link="/rent/",
            data={"invoice_id": p.get("id")},
        )
    ]


@builds("payment.succeeded")
def _payment_succeeded(envelope, p, ctx):
    parties = _lease(p, ctx)
    receipt = f"/api/rent/payments/{p.get('id')}/receipt.pdf"
    return [
        Message(
            recipient_id=str(parties.get("tenant_id") or ""),
            kind="payment.succeeded",
            category=Category.RENT,
            title=f"Payment received: {money(p.get('amount'), p.get('currency'))}",
            body="Thank you. Your receipt is ready.",
            link=receipt,
            action="Download the receipt",
            data={"payment_id": p.get("id"), "receipt_url": receipt},
        )
    ]


@builds("payment.failed", "autopay.exhausted")
def _payment_failed(envelope, p, ctx):
    parties = _lease(p, ctx)
    exhausted = envelope.type == "autopay.exhausted"
    return [
        Message(
            recipient_id=str(parties.get("tenant_id") or ""),
            kind=envelope.type,
            category=Category.RENT,
            title="Rent payment failed"
            + ("" if exhausted else f": {money(p.get('amount'), p.get('currency'))}"),
            body="Autopay gave up; please pay the invoice yourself."
            if exhausted
            else (p.get("failure_message") or "The charge was declined.")
            + " We will retry if autopay is on.",
            link="/rent/",
            action="Pay now",
            data={"id": p.get("id")},
        )
    ]


# A lease's later turns (lease events carry the lease: tenant_id and landlord_id in it).
_LEASE_TEXT = {
    "lease.notice_given": ("both", "Notice given: {title}",
                           "Notice was given by the {notice_given_by}: the lease ends on "
                           "{end_date}."),
    "lease.ending": ("both", "Lease ending: {title}", "The fixed term ends on {end_date}."),
    "lease.renewed": ("both", "Lease renewed: {title}", "{renewal}"),
    "lease.ended": ("both", "Lease ended: {title}", "The lease ended on {ended_on}."),
    "lease.terminated": ("both", "Lease terminated: {title}",
                         "The lease was ended early ({end_reason})."),
    "deposit.returned": ("tenant", "Deposit settled: {title}",
                         "{returned} returned of the {held} deposit; deductions: {deductions}."),
}  # fmt: skip


def _deductions(deposit: dict, currency) -> str:
    items = deposit.get("deductions") or []
    if not items:
        return "none"
    return "; ".join(
        f"{item.get('description') or item.get('kind') or 'deduction'} "
        f"{money(item.get('amount'), currency)}"
        for item in items
    )


@builds(*_LEASE_TEXT)
def _lease_turn(envelope, p, ctx):
    audience, title, body = _LEASE_TEXT[envelope.type]
    recipients = _parties(audience, tenant_id=p.get("tenant_id"), landlord_id=p.get("landlord_id"))
    deposit, currency = p.get("deposit") or {}, p.get("currency")
    fields = {
        "notice_given_by": p.get("notice_given_by") or "tenant or landlord",
        "end_date": p.get("end_date") or "",
        "ended_on": p.get("ended_on") or p.get("end_date") or "",
        "end_reason": str(p.get("end_reason") or "no reason given").replace("_", " "),
        "renewal": f"The lease now runs until {p['end_date']}, at "
        f"{money(p.get('monthly_rent'), currency)} a month."
        if p.get("end_date")
        else f"The lease is now month to month, at {money(p.get('monthly_rent'), currency)} "
        "a month.",
        "returned": money(deposit.get("returned_amount"), currency) or "Nothing",
        "held": money(deposit.get("held"), currency),
        "deductions": _deductions(deposit, currency),
    }
    return [
        Message(
            recipient_id=user_id,
            kind=f"{envelope.type}.{who}",
            category=Category.RENT,
            title=title.format(title=ctx.title(p.get("property_id"))),
            body=body.format(**fields),
            link="/rent/",
            data={"lease_id": p.get("id")},
        )
        for who, user_id in recipients
    ]


@builds("invoice.voided", "late_fee.waived")
def _invoice_relief(envelope, p, ctx):
    parties = _lease(p, ctx)
    voided = envelope.type == "invoice.voided"
    period = f"{p.get('period_start')} to {p.get('period_end')}"
    return [
        Message(
            recipient_id=str(parties.get("tenant_id") or ""),
            kind=envelope.type,
            category=Category.RENT,
            title="Invoice cancelled" if voided else "Late fee waived",
            body=f"The rent for {period} is no longer due; anything paid on it is now credit."
            if voided
            else f"The late fee on the rent due {p.get('due_date')} was waived: "
            f"{money(p.get('balance'), p.get('currency'))} left to pay.",
            link="/rent/",
            data={"invoice_id": p.get("id"), "lease_id": p.get("lease_id")},
        )
    ]


@builds("refund.issued", "refund.failed")
def _refund(envelope, p, ctx):
    parties = _lease(p, ctx)
    amount = money(p.get("amount"), p.get("currency"))
    if envelope.type == "refund.failed":  # the landlord asked for it: theirs to sort out
        return [
            Message(
                recipient_id=str(parties.get("landlord_id") or ""),
                kind="refund.failed",
                category=Category.RENT,
                title=f"Refund not made: {amount}",
                body="Stripe did not make the refund to the tenant's card"
                + (f" ({p['last_error']})" if p.get("last_error") else "")
                + ". You can refund it as credit instead.",
                link="/landlord/rent/",
                data={"refund_id": p.get("id"), "lease_id": p.get("lease_id")},
            )
        ]
    to_card = p.get("destination") == "card"
    return [
        Message(
            recipient_id=str(parties.get("tenant_id") or ""),
            kind="refund.issued",
            category=Category.RENT,
            title=f"Refund: {amount}",
            body="Refunded to your card; banks take a few days to show it."
            if to_card
            else "Added to your lease as credit: it pays your next invoice.",
            link="/rent/",
            data={"refund_id": p.get("id"), "lease_id": p.get("lease_id")},
        )
    ]


@builds("card.saved")
def _card_saved(envelope, p, ctx):
    return [
        Message(
            recipient_id=str(p.get("tenant_id") or ""),
            kind="card.saved",
            category=Category.RENT,
            title="Card saved for rent",
            body="A card was saved for this lease's autopay. If it was not you, remove it "
            "from the lease and change your password.",
            link="/rent/",
            data={"lease_id": p.get("id")},
        )
    ]


# -- visit-events -----------------------------------------------------------------------
_VISIT_TEXT = {
    "visit.requested": ("landlord", "Visit requested: {title}",
                        "{tenant} would like to visit on {start}."),
    "visit.confirmed": ("tenant", "Visit confirmed: {title}", "See you on {start}."),
    "visit.declined": ("tenant", "Visit declined: {title}",
                       "The landlord declined your visit on {start}."),
    "visit.rescheduled": ("both", "Visit moved: {title}", "The visit is now on {start}."),
    "visit.cancelled": ("both", "Visit cancelled: {title}", "The visit on {start} was cancelled."),
}  # fmt: skip


@builds(*_VISIT_TEXT)
def _visit(envelope, p, ctx):
    audience, title, body = _VISIT_TEXT[envelope.type]
    recipients = _parties(audience, tenant_id=p.get("tenant_id"), landlord_id=p.get("owner_id"))
    property_title = p.get("property_title") or ctx.title(p.get("property_id"))
    return [
        Message(
            recipient_id=user_id,
            kind=f"{envelope.type}.{who}",
            category=Category.VISITS,
            title=title.format(title=property_title),
            body=body.format(
                tenant=ctx.name(p.get("tenant_id")),
                start=when(p.get("start"), p.get("time_zone") or ctx.time_zones.get(str(user_id))),
            ),
            link="/visits/",
            data={"visit_id": p.get("id"), "start": p.get("start")},
        )
        for who, user_id in recipients
    ]


@builds("visit.reminder_due")
def _visit_reminder(envelope, p, ctx):
    property_title = p.get("property_title") or ctx.title(p.get("property_id"))
    start = when(p.get("start"), p.get("time_zone"))
    return [
        Message(
            recipient_id=user_id,
            kind=f"visit.reminder.{who}",
            category=Category.VISITS,
            title=f"Visit {'tomorrow' if p.get('reminder') == '24h' else 'in an hour'}: "
            f"{property_title}",
            body=f"The visit is on {start}.",
            link="/visits/",
            data={"visit_id": p.get("id"), "start": p.get("start")},
            subject_kind="visit",
            subject_ref=str(p.get("id")),
            valid_while=["CONFIRMED"],
            valid_data={"start": p.get("start")},
        )
        for who, user_id in _parties(
            "both", tenant_id=p.get("tenant_id"), landlord_id=p.get("owner_id")
        )
    ]


# -- chat-events ------------------------------------------------------------------------
@builds("message.sent")
def _chat_message(envelope, p, ctx):
    """Live only: emails about chat come as the digest of what stays unread."""
    return [
        Message(
            recipient_id=str(p.get("recipient_id") or ""),
            kind="chat.message",
            category=Category.CHAT,
            title=f"New message from {ctx.name(p.get('sender_id'))}",
            body=str(p.get("preview") or "")[:300],
            link=f"/messages/{p.get('conversation_id')}",
            data={
                "conversation_id": p.get("conversation_id"),
                "message_id": p.get("message_id"),
                "seq": p.get("seq"),
                "sender_id": p.get("sender_id"),
            },
            email=False,
        )
    ]
