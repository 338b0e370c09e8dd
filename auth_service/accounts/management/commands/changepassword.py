"""`manage.py changepassword <email>`, through accounts.services.

Replaces Django's command of the same name (this app comes before django.contrib.auth in
INSTALLED_APPS, so its commands win): same prompts, but the password is set by
`user_set_password`, which revokes every session of the user and announces
`user.password_changed`, exactly as a change through the API does.
"""

from __future__ import annotations

import getpass

from django.contrib.auth.management.commands import changepassword
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts import selectors, services
from accounts.errors import NoSuchUser

MAX_TRIES = 3


class Command(changepassword.Command):
    help = (
        "Set a user's password (by email, in any case). Every session of the user is "
        "revoked and user.password_changed is published, as for a change through the API."
    )

    def handle(self, *args, **options):
        email = options["username"] or getpass.getuser()
        try:
            user = selectors.user_get_by_email(email=email)
        except NoSuchUser:
            raise CommandError(f"user '{email}' does not exist") from None
        self.stdout.write(f"Changing password for user '{user}'")
        for _ in range(MAX_TRIES):
            password = self._get_pass()
            if password != self._get_pass("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                services.user_set_password(user_id=user.pk, password=password)
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                continue
            return f"Password changed successfully for user '{user}'"
        raise CommandError(f"Aborting password change for user '{user}' after {MAX_TRIES} attempts")
