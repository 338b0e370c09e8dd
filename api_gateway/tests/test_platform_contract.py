"""The gateway keeps the platform's health contract; it signs requests rather than
verifying them, so the signed-request and events checks of other services do not apply."""

from rentezy_common.testing.contract import (  # noqa: F401
    test_healthz_is_public_and_alive,
    test_readyz_checks_real_dependencies,
)
