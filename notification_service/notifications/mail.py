"""Email: a notification rendered from templates (HTML and text parts), and the SMTP
connection that sends it.

Rendering: `templates/notifications/email/message.{txt,html}` for every message (title,
body, a button linking back to the web app, the footer), `digest.*` for the chat
digest. Links are absolute under PUBLIC_BASE_URL. A message a person may turn off
carries `List-Unsubscribe` with a signed one-click link and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` (RFC 8058), so a mail client can unsubscribe with one POST
and no login; security messages (which cannot be turned off) carry none.

`Message-ID` is derived from the delivery's id: if a send is ever repeated (the SMTP
server took the mail and the process died before recording it), the copy has the same
Message-ID and mail systems can fold it (services.delivery_send_email has the rest of
the send-once guard).

Sending: one SMTP connection per process, opened on first use and kept (a worker sends
thousands of mails; a TCP and SMTP handshake per mail would cost more than the mail),
reopened once when the server has dropped it. Errors are sorted into what retrying can
fix (`TransientMailError`: server down, 4xx) and what it cannot (`PermanentMailError`:
the recipient refused with 5xx).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from django.conf import settings
from django.template.loader import render_to_string

from .tokens import unsubscribe_token

logger = logging.getLogger(__name__)


class TransientMailError(Exception):
    """The server is down or answered 4xx: try again later."""


class PermanentMailError(Exception):
    """The server refused the recipient for good (5xx): a bounce."""


def absolute(link: str) -> str:
    if not link:
        return settings.PUBLIC_BASE_URL + "/"
    if link.startswith(("http://", "https://")):
        return link
    return settings.PUBLIC_BASE_URL + link


def unsubscribe_url(*, user_id: str, category: str) -> str:
    token = unsubscribe_token(user_id=user_id, category=category)
    return f"{settings.PUBLIC_BASE_URL}/api/notifications/unsubscribe/{token}"


def build_email(
    *, delivery_id, to: str, name: str, subject: str, template: str, context: dict,
    user_id: str, category: str, critical: bool,
) -> EmailMessage:  # fmt: skip
    """The email of one delivery: text and HTML parts from `template`, headers."""
    unsubscribe = None if critical else unsubscribe_url(user_id=user_id, category=category)
    context = {
        **context,
        "name": name,
        "subject": subject,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute("/notifications/preferences"),
        "base_url": settings.PUBLIC_BASE_URL,
    }
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.NOTIFICATION_EMAIL_FROM
    message["To"] = formataddr((name, to)) if name else to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{delivery_id}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"
    message["X-RentEzy-Delivery"] = str(delivery_id)
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(render_to_string(f"notifications/email/{template}.txt", context))
    message.add_alternative(
        render_to_string(f"notifications/email/{template}.html", context), subtype="html"
    )
    return message


class SmtpSender:
    """The process's SMTP connection (one per thread: Celery's prefork children each
    have their own process anyway)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(
            settings.NOTIFICATION_SMTP_HOST,
            settings.NOTIFICATION_SMTP_PORT,
            timeout=settings.NOTIFICATION_SMTP_TIMEOUT_SECONDS,
        )
        if settings.NOTIFICATION_SMTP_STARTTLS:
            connection.starttls()
        if settings.NOTIFICATION_SMTP_USER:
            connection.login(settings.NOTIFICATION_SMTP_USER, settings.NOTIFICATION_SMTP_PASSWORD)
        return connection

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()

    def send(self, message: EmailMessage) -> None:
        for attempt in (1, 2):
            connection = getattr(self._local, "connection", None)
            try:
                if connection is None:
                    connection = self._local.connection = self._connect()
                refused = connection.send_message(message)
            except smtplib.SMTPServerDisconnected as exc:
                # A kept connection the server closed (idle timeout, restart): reopen
                # once; a second failure is the server being down.
                self._local.connection = None
                if attempt == 2:
                    raise TransientMailError(f"disconnected: {exc}") from exc
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                if codes and all(code >= 500 for code in codes):
                    raise PermanentMailError(f"recipient refused: {exc.recipients}") from exc
                raise TransientMailError(f"recipient deferred: {exc.recipients}") from exc
            except smtplib.SMTPResponseException as exc:
                self.close()
                if exc.smtp_code >= 500 and isinstance(exc, smtplib.SMTPDataError):
                    raise PermanentMailError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
                raise TransientMailError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            except (OSError, smtplib.SMTPException) as exc:
                self.close()
                raise TransientMailError(f"{type(exc).__name__}: {exc}") from exc
            if refused:
                raise PermanentMailError(f"recipient refused: {refused}")
            return


SENDER = SmtpSender()
