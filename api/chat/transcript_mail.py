"""A conversation's transcript by e-mail, at the customer's request: what everyone wrote, in the customer's language,
as plain text (an e-mail client shows it as it is; nothing anyone wrote is ever turned into HTML)."""
from __future__ import annotations

from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.system_messages import system_text
from api.chat.transcripts import stored_messages
from api.infra.mailer import send_mail
from api.settings import Settings
from api.storage.models import Conversation, Message, Sender, as_utc
from contracts.payloads import BotPayload, CustomerPayload
from knowledge.shop import Shop


def _who(message: Message, names: dict[int, str], language: str | None) -> str | None:
    """The speaker as the customer knows them; None for the system's own lines (queue, joining), shown without one."""
    if message.sender is Sender.customer:
        return system_text("transcript_you", language)
    if message.sender is Sender.bot:
        return system_text("transcript_bot", language)
    if message.sender is Sender.agent:
        return (names.get(message.agent_id) if message.agent_id else None) or system_text("transcript_bot", language)
    return None


def transcript_text(messages: list[Message], names: dict[int, str], language: str | None) -> str:
    """The body: a line saying what it is, then each message with its time and speaker, its source and file named."""
    parts = [system_text("transcript_intro", language)]
    for message in messages:
        when = as_utc(message.created_at).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        who = _who(message, names, language)
        lines = [f"{when} {who}:", message.text] if who else [f"{when} — {message.text}"]
        if source := BotPayload.from_json(message.payload).source:
            lines.append(f"{system_text('transcript_source', language)}: {source.title}" + (f" <{source.link}>" if source.link else ""))
        if attachment := CustomerPayload.from_json(message.payload).attachment:
            lines.append(f"{system_text('transcript_file', language)}: {attachment.name}")
        parts.append("\n".join(line for line in lines if line))
    return "\n\n".join(parts) + "\n"


async def mail_transcript(session: AsyncSession, settings: Settings, shop: Shop, conversation: Conversation, email: str) -> int:
    """Send the whole conversation so far to `email`; how many messages it held (MailNotSent when the mail server is
    missing or refuses)."""
    messages, names = await stored_messages(session, conversation.id)
    await send_mail(settings, shop, to=email, subject=system_text("transcript_subject", conversation.language, shop_name=shop.name),
                    body=transcript_text(messages, names, conversation.language))
    return len(messages)
