"""E-mail to customers (answers to tickets, transcripts they ask for), through the SMTP server in the settings."""
from __future__ import annotations

import asyncio
import smtplib
import socket
from email.message import EmailMessage
from email.utils import formataddr

from api.domain_errors import MailNotSent
from api.settings import Settings
from knowledge.shop import Shop


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value() if settings.smtp_password else "")
        smtp.send_message(message)


def sender(settings: Settings, shop: Shop) -> str:
    """Who e-mails come from: the setting, else the shop's name and contact address (else the SMTP login's)."""
    if settings.mail_from:
        return settings.mail_from
    address = shop.contact.email or settings.smtp_username or f"support@{socket.getfqdn()}"
    return formataddr((shop.name, address))


async def send_mail(settings: Settings, shop: Shop, *, to: str, subject: str, body: str) -> None:
    if not settings.smtp_host:
        raise MailNotSent("no mail server is configured (SHOPBOT_SMTP_HOST), so nothing was sent")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender(settings, shop), to, subject
    message.set_content(body)
    try:
        await asyncio.to_thread(_send, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailNotSent(f"the mail server did not take the message: {exc}; try again") from exc
