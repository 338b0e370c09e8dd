"""`manage.py createsuperuser`: the only way to an admin account, through
accounts.services.

Replaces Django's command of the same name (this app comes before django.contrib.auth in
INSTALLED_APPS, so its commands win). Same options and environment (`--email`,
`--full_name`, `--noinput` with DJANGO_SUPERUSER_EMAIL / _FULL_NAME / _PASSWORD), but
the account is created by `user_create_admin`, which announces `user.registered` in the
same transaction like every other account creation.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts import services
from accounts.errors import EmailTaken
from accounts.models import User


class Command(createsuperuser.Command):
    help = "Create an admin (role admin, superuser) and announce it on user-events."

    def handle(self, *args, **options):
        try:
            if options["interactive"]:
                fields = self._ask(options)
            else:
                fields = self._from_options_and_environment(options)
            services.user_create_admin(**fields)
        except KeyboardInterrupt:
            self.stderr.write("\nOperation cancelled.")
            sys.exit(1)
        except createsuperuser.NotRunningInTTYException:
            self.stdout.write(
                "Superuser creation skipped due to not running in a TTY. You can run "
                "`manage.py createsuperuser` in your project to create one manually."
            )
            return
        except EmailTaken as exc:
            raise CommandError(exc.message) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if options["verbosity"] >= 1:
            self.stdout.write("Superuser created successfully.")

    def _from_options_and_environment(self, options) -> dict:
        fields = {}
        for name in ("email", "full_name"):
            fields[name] = options[name] or os.environ.get(f"DJANGO_SUPERUSER_{name.upper()}")
            if not fields[name]:
                raise CommandError(f"You must use --{name} with --noinput.")
        # Without one, the password is unusable (as Django's command does).
        fields["password"] = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        return fields

    def _ask(self, options) -> dict:
        if hasattr(self.stdin, "isatty") and not self.stdin.isatty():
            raise createsuperuser.NotRunningInTTYException
        email = options["email"]
        if email and (error := self._email_error(email)):
            self.stderr.write(error)
            email = None
        while not email:
            email = self.get_input_data(self.username_field, "Email: ")
            if email and (error := self._email_error(email)):
                self.stderr.write(error)
                email = None
        full_name = options["full_name"]
        while not full_name:
            full_name = self.get_input_data(User._meta.get_field("full_name"), "Full name: ")
        password = self._ask_password(email, full_name)
        return {"email": email, "full_name": full_name, "password": password}

    def _email_error(self, email: str) -> str | None:
        try:
            self.username_field.clean(email, None)
        except ValidationError as exc:
            return "Error: " + "; ".join(exc.messages)
        if User.objects.by_email(email).exists():
            return "Error: That email is already taken."
        return None

    def _ask_password(self, email: str, full_name: str) -> str:
        while True:
            password = getpass.getpass()
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("Error: Your passwords didn't match.")
                continue
            if not password.strip():
                self.stderr.write("Error: Blank passwords aren't allowed.")
                continue
            try:
                validate_password(password, User(email=email, full_name=full_name))
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                continue
            return password
