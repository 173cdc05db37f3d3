"""A conversation's transcript by e-mail, at the customer's request: what everyone wrote, in the customer's language,
as plain text (an e-mail client shows it as it is; nothing anyone wrote is ever turned into HTML)."""
from __future__ import annotations

from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Services
from api.mailer import send_mail
from api.models import Conversation, as_utc
from api.schemas import MessageOut, TranscriptMailed
from api.system_messages import system_text
from api.transcripts import messages_after


def _who(message: MessageOut, language: str | None) -> str | None:
    """The speaker as the customer knows them; None for the system's own lines (queue, joining), shown without one."""
    if message.sender == "customer":
        return system_text("transcript_you", language)
    if message.sender == "bot":
        return system_text("transcript_bot", language)
    if message.sender == "agent":
        return message.agent or system_text("transcript_bot", language)
    return None


def transcript_text(messages: list[MessageOut], language: str | None) -> str:
    """The body: a line saying what it is, then each message with its time and speaker, its source and file named."""
    parts = [system_text("transcript_intro", language)]
    for message in messages:
        when = as_utc(message.created_at).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        who = _who(message, language)
        lines = [f"{when} {who}:", message.text] if who else [f"{when} — {message.text}"]
        if message.source:
            lines.append(f"{system_text('transcript_source', language)}: {message.source.title}"
                         + (f" <{message.source.link}>" if message.source.link else ""))
        if message.attachment:
            lines.append(f"{system_text('transcript_file', language)}: {message.attachment.name}")
        parts.append("\n".join(line for line in lines if line))
    return "\n\n".join(parts) + "\n"


async def mail_transcript(session: AsyncSession, services: Services, conversation: Conversation, email: str) -> TranscriptMailed:
    """Send the whole conversation so far to `email` (MailNotSent when the mail server is missing or refuses)."""
    messages = await messages_after(session, conversation.id)
    shop = services.shop.current
    await send_mail(services.settings, shop, to=email, subject=system_text("transcript_subject", conversation.language, shop_name=shop.name),
                    body=transcript_text(messages, conversation.language))
    return TranscriptMailed(email=email, messages=len(messages))
