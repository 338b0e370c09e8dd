"""rent service settings: the platform's, from the environment (docs/configuration.md),
plus Stripe and the rent cycle's rules (docs/services/rent.md)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_int, env_str
from rentezy_common.payment_settings import stripe_settings

_platform = platform_settings(
    service="rent",
    base_dir=Path(__file__).resolve().parent.parent.parent,
    apps=["django_filters", "leases"],
    readiness=("database", "redis", "kafka"),
    # The operators' Django admin at /admin/ (leases/admin.py), off the gateway.
    admin=True,
)
globals().update(_platform)
globals().update(stripe_settings(_platform["RENTEZY_ENV"]))
PUBLIC_BASE_URL = _platform["PUBLIC_BASE_URL"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

RENT_EVENTS_TOPIC = env_str("RENT_EVENTS_TOPIC", "rent-events")
BOOKING_EVENTS_TOPIC = env_str("BOOKING_EVENTS_TOPIC", "booking-events")
PROPERTY_EVENTS_TOPIC = env_str("PROPERTY_EVENTS_TOPIC", "property-events")
USER_EVENTS_TOPIC = env_str("USER_EVENTS_TOPIC", "user-events")
# Consumer groups (default "rent.<name>"); tests give their own.
RENT_BOOKINGS_CONSUMER_GROUP = env_str("RENT_BOOKINGS_CONSUMER_GROUP", "") or None
RENT_PROPERTIES_CONSUMER_GROUP = env_str("RENT_PROPERTIES_CONSUMER_GROUP", "") or None
RENT_USERS_CONSUMER_GROUP = env_str("RENT_USERS_CONSUMER_GROUP", "") or None

# Invoices are issued this many days before their period starts (its due date), and a
# cycle also issues periods it missed up to this many days back.
RENT_INVOICE_LEAD_DAYS = env_int("RENT_INVOICE_LEAD_DAYS", 7)
RENT_ISSUE_CATCH_UP_DAYS = env_int("RENT_ISSUE_CATCH_UP_DAYS", 31)
# Terms of a lease made from a booking (a landlord sets their own by hand).
RENT_DEFAULT_LATE_FEE_KIND = env_str("RENT_DEFAULT_LATE_FEE_KIND", "percent")
RENT_DEFAULT_LATE_FEE_AMOUNT = env_str("RENT_DEFAULT_LATE_FEE_AMOUNT", "5")
RENT_DEFAULT_GRACE_DAYS = env_int("RENT_DEFAULT_GRACE_DAYS", 5)
RENT_DEFAULT_REMINDER_DAYS = env_int("RENT_DEFAULT_REMINDER_DAYS", 3)
RENT_DEFAULT_NOTICE_DAYS = env_int("RENT_DEFAULT_NOTICE_DAYS", 30)
if RENT_DEFAULT_LATE_FEE_KIND not in ("none", "flat", "percent"):
    raise ImproperlyConfigured("RENT_DEFAULT_LATE_FEE_KIND: none, flat or percent")
# Autopay: days after a failed attempt before the next (one number per retry).
RENT_AUTOPAY_RETRY_DAYS = [
    int(x) for x in env_str("RENT_AUTOPAY_RETRY_DAYS", "1,3,5").split(",") if x.strip()
]
RENT_AUTOPAY_TASK_BATCH = env_int("RENT_AUTOPAY_TASK_BATCH", 50)
# A payment may exceed its invoice's balance by this many months of rent (credit).
RENT_MAX_OVERPAYMENT_MONTHS = env_int("RENT_MAX_OVERPAYMENT_MONTHS", 3)
# Card refunds: attempts before a PaymentIssue, first retry delay (doubling, capped at an
# hour); the sweeper's period and how long queued work waits before it is queued again.
RENT_REFUND_MAX_ATTEMPTS = env_int("RENT_REFUND_MAX_ATTEMPTS", 8)
RENT_REFUND_RETRY_SECONDS = env_int("RENT_REFUND_RETRY_SECONDS", 30)
RENT_SWEEP_SECONDS = env_int("RENT_SWEEP_SECONDS", 60)
RENT_REQUEUE_SECONDS = env_int("RENT_REQUEUE_SECONDS", 600)
RENT_STRIPE_EVENT_RETENTION_DAYS = env_int("RENT_STRIPE_EVENT_RETENTION_DAYS", 30)
RENT_ROLL_MAX_ROWS = env_int("RENT_ROLL_MAX_ROWS", 10000)
# The payment simulator delivers its signed webhooks here (through the gateway).
PAYMENT_SIMULATOR_WEBHOOK_URL = env_str(
    "PAYMENT_SIMULATOR_WEBHOOK_URL", PUBLIC_BASE_URL + "/api/rent/stripe/webhook/"
)

LOGGING["loggers"]["stripe"] = {"level": "WARNING"}  # noqa: F821
LOGGING["loggers"]["fontTools"] = {"level": "WARNING"}  # noqa: F821

SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {  # noqa: F821
    "LeaseStatus": "leases.choices.LeaseStatus",
    "InvoiceStatus": "leases.choices.InvoiceStatus",
    "RentPaymentStatus": "leases.choices.PaymentStatus",
    "RentRefundStatus": "leases.choices.RefundStatus",
    "RentPaymentIssueKind": "leases.choices.PaymentIssueKind",
    "LateFeeKind": "leases.choices.LateFeeKind",
    "EntryKind": "leases.choices.EntryKind",
    "RentPaymentKind": "leases.choices.PaymentKind",
    "DeductionKind": "leases.api.serializers.DEDUCTION_KINDS",
}
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [  # noqa: F821
    *SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"],  # noqa: F821
    "leases.api.schema.add_stripe_webhook",
]
