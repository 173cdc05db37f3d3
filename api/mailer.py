"""E-mail to customers (answers to tickets), through the SMTP server in the settings."""
from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from api.errors import ApiError
from api.settings import Settings


class MailNotSent(ApiError):
    status_code = 502


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value() if settings.smtp_password else "")
        smtp.send_message(message)


async def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> None:
    if not settings.smtp_host:
        raise MailNotSent("no mail server is configured (SHOPBOT_SMTP_HOST); the answer is saved but was not sent")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.mail_from, to, subject
    message.set_content(body)
    try:
        await asyncio.to_thread(_send, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailNotSent(f"the mail server did not take the message: {exc}; the answer is saved, try again") from exc
