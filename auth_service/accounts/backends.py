"""Django admin sign-in, under the same per-account lockout as the API's login."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from . import lockout
from .errors import TooManyAttempts


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        try:
            lockout.login_lock_check(username)
        except TooManyAttempts:
            return None  # the admin shows its usual "incorrect" message
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lockout.login_failure_record(username)
        else:
            lockout.login_failures_reset(username)
        return user
