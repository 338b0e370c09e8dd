"""The platform contract (health, readiness, signed requests, error shape)."""

from rentezy_common.testing.contract import *  # noqa: F403
