"""Stripe settings of a service that takes payments (booking, rent). Apart from
rentezy_common.payments, which imports DRF and stripe (settings must not). Outside
production they point at stripe-mock on loopback with test-mode keys that are useless
anywhere else, and the payment simulator is on. Production needs real keys (refused if
they are the dev ones or not Stripe-shaped), talks to api.stripe.com, and never runs the
simulator."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_str

# Dev only: stripe-mock accepts any test-mode key, and the webhook secret only signs
# the simulator's events. Both are refused in production.
DEV_STRIPE_SECRET_KEY = "sk_test_DevInsecureRentezyLocalOnly"  # noqa: S105
DEV_STRIPE_WEBHOOK_SECRET = "whsec_DevInsecureRentezySimulator"  # noqa: S105


def stripe_settings(environment: str) -> dict[str, Any]:
    production = environment == "production"
    if production:
        key = env_str("STRIPE_SECRET_KEY")
        webhook_secret = env_str("STRIPE_WEBHOOK_SECRET")
        if "DevInsecure" in key or not key.startswith(("sk_live_", "sk_test_", "rk_")):
            raise ImproperlyConfigured("STRIPE_SECRET_KEY must be a real Stripe secret key.")
        if "DevInsecure" in webhook_secret or not webhook_secret.startswith("whsec_"):
            raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET must be the endpoint's secret.")
        if env_bool("PAYMENT_SIMULATOR_ENABLED", False):
            raise ImproperlyConfigured("The payment simulator is refused in production.")
        api_base = env_str("STRIPE_API_BASE", "")
    else:
        key = env_str("STRIPE_SECRET_KEY", DEV_STRIPE_SECRET_KEY)
        webhook_secret = env_str("STRIPE_WEBHOOK_SECRET", DEV_STRIPE_WEBHOOK_SECRET)
        port = env_int("STRIPE_MOCK_PORT", 12111)
        api_base = env_str("STRIPE_API_BASE", f"http://127.0.0.1:{port}")
    return {
        "STRIPE_SECRET_KEY": key,
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_API_BASE": api_base,  # "" = Stripe's own
        "STRIPE_TIMEOUT": env_int("STRIPE_TIMEOUT", 10),  # seconds per request
        "STRIPE_MAX_NETWORK_RETRIES": env_int("STRIPE_MAX_NETWORK_RETRIES", 2),
        # Seconds a webhook signature stays valid (Stripe's default tolerance).
        "STRIPE_WEBHOOK_TOLERANCE": env_int("STRIPE_WEBHOOK_TOLERANCE", 300),
        "PAYMENT_SIMULATOR_ENABLED": (
            False if production else env_bool("PAYMENT_SIMULATOR_ENABLED", True)
        ),
    }
