"""Photos and PDFs customers send with a chat (a broken product for a claim, an invoice): checked, stored, read back.

The type is read from the file's first bytes, never from its name or the browser's word, and only images that
browsers show as images and PDFs are kept. Files live in the database beside the conversation, so every api
replica serves them and erasing the customer erases them.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.system_messages import system_text
from api.domain_errors import EmptyAttachment, NotFound, UnsupportedAttachment
from api.storage.models import Attachment, Conversation, ConversationState, Message, Sender
from contracts.payloads import AttachmentRef, CustomerPayload

# Magic numbers of the kinds we keep (a small fixed set: a general sniffing library would accept far more).
SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WEBP", "image/webp"),  # after RIFF and the length
    (0, b"%PDF-", "application/pdf"),
)
KINDS = "JPEG, PNG, GIF, WebP or PDF"
MAX_NAME = 120
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\"<>:|?*]+")


def sniffed_type(data: bytes) -> str:
    """The content type the bytes themselves show; anything else is refused with what we take."""
    if not data:
        raise EmptyAttachment("the file is empty")
    for offset, magic, content_type in SIGNATURES:
        if data[offset:offset + len(magic)] == magic and (content_type != "image/webp" or data[:4] == b"RIFF"):
            return content_type
    raise UnsupportedAttachment(f"only photos and documents we can show safely are accepted: send a {KINDS} file")


def safe_name(name: str) -> str:
    """The file's name as shown to agents and offered on download: no folders, control characters or quotes."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" ._")
    return cleaned[:MAX_NAME] or "attachment"


async def attach(session: AsyncSession, conversation: Conversation, data: bytes, name: str) -> list[Message]:
    """Store the file as a customer's message; while the bot has the chat, also a system note saying who will see it.

    The messages are committed; the caller publishes them. The bot is not asked: a file is no question.
    """
    content_type = sniffed_type(data)
    shown = safe_name(name)
    language = conversation.language or "en"
    message = Message(conversation_id=conversation.id, sender=Sender.customer, text=f"📎 {shown}", language=language)
    session.add(message)
    await session.flush()
    attachment = Attachment(conversation_id=conversation.id, message_id=message.id, name=shown, content_type=content_type,
                            size=len(data), data=data)
    session.add(attachment)
    await session.flush()
    message.payload = CustomerPayload(attachment=AttachmentRef(attachment.id, shown, content_type, len(data))).to_json()
    stored = [message]
    if conversation.state in (ConversationState.bot, ConversationState.closed):
        stored.append(Message(conversation_id=conversation.id, sender=Sender.system, text=system_text("attachment_saved", language),
                              language=language))
        session.add(stored[-1])
    await session.commit()
    return stored


async def stored_attachment(session: AsyncSession, conversation_id: str, attachment_id: str) -> Attachment:
    """The file, only within its own conversation (an id from another conversation is not found)."""
    found = await session.scalar(select(Attachment).where(Attachment.id == attachment_id, Attachment.conversation_id == conversation_id))
    if found is None:
        raise NotFound("no such attachment in this conversation")
    return found
