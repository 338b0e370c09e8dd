"""The operators' commands go through accounts.services like the API."""

import io

import pytest
from accounts.models import User, UserSession
from django.core.management import CommandError, call_command

from rentezy_common.events.models import OutboxEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def typed(monkeypatch):
    """Answers to the prompts, in order: input() for text, getpass() for passwords."""

    def _typed(*, lines=(), passwords=()):
        lines, passwords = iter(lines), iter(passwords)
        monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
        monkeypatch.setattr("getpass.getpass", lambda prompt="Password: ": next(passwords))

    return _typed


def test_interactive_createsuperuser_validates_and_announces(typed):
    typed(
        lines=["Ops@Example.com", "Olga Ops"],
        passwords=["123", "123", "mismatch-1A", "mismatch-2A", PASSWORD, PASSWORD],
    )
    stderr = io.StringIO()
    call_command("createsuperuser", stdin=TTY(), stdout=io.StringIO(), stderr=stderr)

    admin = User.objects.get()
    assert (admin.email, admin.full_name, admin.role) == ("ops@example.com", "Olga Ops", "admin")
    assert admin.check_password(PASSWORD)
    assert "too short" in stderr.getvalue() and "didn't match" in stderr.getvalue()
    assert OutboxEvent.objects.get().event_type == "user.registered"


def test_interactive_createsuperuser_asks_again_for_a_taken_email(typed, user):
    typed(lines=[user.email.upper(), "ops@example.com", "Olga Ops"], passwords=[PASSWORD] * 2)
    stderr = io.StringIO()
    call_command("createsuperuser", stdin=TTY(), stdout=io.StringIO(), stderr=stderr)
    assert "already taken" in stderr.getvalue()
    assert User.objects.get(role="admin").email == "ops@example.com"


def test_createsuperuser_without_a_password_gives_an_unusable_one(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "ops@example.com")
    call_command("createsuperuser", interactive=False, full_name="Ops", stdout=io.StringIO())
    assert not User.objects.get().has_usable_password()


def test_noninteractive_createsuperuser_needs_an_email(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_EMAIL", raising=False)
    with pytest.raises(CommandError, match="--email"):
        call_command("createsuperuser", interactive=False, full_name="Ops")


def test_changepassword_of_an_unknown_user(typed):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("changepassword", "nobody@example.com", stdout=io.StringIO())


def test_changepassword_finds_the_user_in_any_case_and_refuses_weak_passwords(
    typed, user, login, introspect
):
    tokens = login(user.email).json()
    typed(passwords=["123", "123"] * 3)
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="after 3 attempts"):
        call_command("changepassword", user.email.upper(), stdout=io.StringIO(), stderr=stderr)

    assert "too short" in stderr.getvalue()
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert introspect(tokens["access"])["active"] is True
    assert not OutboxEvent.objects.filter(event_type="user.password_changed").exists()


def test_saving_a_user_is_only_the_row(user, login):
    """The model does no service work: a password stored by hand (a shell, a data fix)
    revokes nothing and announces nothing; operators use `changepassword`."""
    login(user.email)
    user.set_password("an0ther-Strong-passphrase")
    user.save()
    assert UserSession.objects.get(user=user).revoked_at is None
    assert not OutboxEvent.objects.filter(event_type="user.password_changed").exists()
