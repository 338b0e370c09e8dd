"""booking service settings: the platform's, from the environment (docs/configuration.md),
plus holds, refunds and Stripe (docs/services/booking.md)."""

from pathlib import Path

from rentezy_common.conf import platform_settings
from rentezy_common.env import env_int, env_str
from rentezy_common.payment_settings import stripe_settings

_platform = platform_settings(
    service="booking",
    base_dir=Path(__file__).resolve().parent.parent.parent,
    apps=["django_filters", "bookings"],
    readiness=("database", "redis", "kafka"),
    # The operators' Django admin at /admin/ (bookings/admin.py), off the gateway, with
    # its own staff users (docs/services/booking.md, "Django admin").
    admin=True,
)
globals().update(_platform)
globals().update(stripe_settings(_platform["RENTEZY_ENV"]))
PUBLIC_BASE_URL = _platform["PUBLIC_BASE_URL"]
# The admin's CSS/JS (WhiteNoise serves them from the installed apps).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

BOOKING_EVENTS_TOPIC = env_str("BOOKING_EVENTS_TOPIC", "booking-events")
PROPERTY_EVENTS_TOPIC = env_str("PROPERTY_EVENTS_TOPIC", "property-events")
BOOKING_INVENTORY_CONSUMER_GROUP = env_str("BOOKING_INVENTORY_CONSUMER_GROUP", "") or None

# How long units stay held for a tenant who is paying (seconds).
BOOKING_HOLD_SECONDS = env_int("BOOKING_HOLD_SECONDS", 600)
# The sweeper's period, and how late a hold may be before the sweeper takes it over
# from its scheduled task (seconds).
BOOKING_SWEEP_SECONDS = env_int("BOOKING_SWEEP_SECONDS", 30)
BOOKING_SWEEP_GRACE_SECONDS = env_int("BOOKING_SWEEP_GRACE_SECONDS", 5)
# Days a handled Stripe event id is remembered (Stripe retries deliveries for 3 days).
BOOKING_STRIPE_EVENT_RETENTION_DAYS = env_int("BOOKING_STRIPE_EVENT_RETENTION_DAYS", 30)
# Refunds: attempts before a refund is flagged for a person, the first retry delay
# (doubling, capped at an hour), and how long a queued attempt may wait for a worker
# before the sweeper queues it again (seconds).
BOOKING_REFUND_MAX_ATTEMPTS = env_int("BOOKING_REFUND_MAX_ATTEMPTS", 8)
BOOKING_REFUND_RETRY_SECONDS = env_int("BOOKING_REFUND_RETRY_SECONDS", 30)
BOOKING_REFUND_REQUEUE_SECONDS = env_int("BOOKING_REFUND_REQUEUE_SECONDS", 120)
# Largest quantity in one booking, and how far ahead a move-in may be (days).
BOOKING_MAX_QUANTITY = env_int("BOOKING_MAX_QUANTITY", 50)
BOOKING_MAX_ADVANCE_DAYS = env_int("BOOKING_MAX_ADVANCE_DAYS", 366)
# Refund policy for a tenant cancelling a confirmed booking (docs/services/booking.md).
BOOKING_FULL_REFUND_DAYS = env_int("BOOKING_FULL_REFUND_DAYS", 7)
BOOKING_LATE_CANCEL_REFUND_PERCENT = env_int("BOOKING_LATE_CANCEL_REFUND_PERCENT", 50)
# "conditional_update" (the design) or "select_for_update" (bench/booking's comparison).
BOOKING_HOLD_STRATEGY = env_str("BOOKING_HOLD_STRATEGY", "conditional_update")
if BOOKING_HOLD_STRATEGY not in ("conditional_update", "select_for_update"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("BOOKING_HOLD_STRATEGY: conditional_update or select_for_update")

# Where Stripe sends the tenant back after paying or giving up (the web app), under the
# platform's PUBLIC_BASE_URL.
BOOKING_CHECKOUT_SUCCESS_URL = env_str(
    "BOOKING_CHECKOUT_SUCCESS_URL", PUBLIC_BASE_URL + "/bookings/{booking_id}?paid=1"
)
BOOKING_CHECKOUT_CANCEL_URL = env_str(
    "BOOKING_CHECKOUT_CANCEL_URL", PUBLIC_BASE_URL + "/bookings/{booking_id}"
)
# Where `checkout_url` leads while the payment simulator plays Stripe (never in
# production): the web app's dev payment page, whose pay / decline / let-it-expire
# buttons drive the simulator, since Stripe's hosted page cannot be reached from one
# machine. "" keeps Stripe's (stripe-mock's) URL. `{booking_id}` is filled in.
BOOKING_DEV_CHECKOUT_URL = env_str(
    "BOOKING_DEV_CHECKOUT_URL", PUBLIC_BASE_URL + "/dev/checkout/{booking_id}"
)
# The payment simulator delivers its signed webhooks here (through the gateway).
PAYMENT_SIMULATOR_WEBHOOK_URL = env_str(
    "PAYMENT_SIMULATOR_WEBHOOK_URL", PUBLIC_BASE_URL + "/api/bookings/stripe/webhook/"
)

# The stripe library logs every request and response at INFO: two lines per hold.
LOGGING["loggers"]["stripe"] = {"level": "WARNING"}  # noqa: F821

# The OpenAPI document (rentezy_common.openapi): enumeration names, and the Stripe
# webhook (a plain Django view) added by a hook.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {  # noqa: F821
    "BookingStatus": "bookings.models.BookingStatus",
    "RefundStatus": "bookings.models.RefundStatus",
}
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [  # noqa: F821
    *SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"],  # noqa: F821
    "bookings.api.schema.add_stripe_webhook",
]
