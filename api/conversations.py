"""Conversations and their messages: the api owns them, Rasa is asked only while the bot is in charge."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import ApiError, Forbidden, NotFound, RasaUnavailable
from api.language import LanguageGuesser
from api.models import Conversation, ConversationState, Message, MessageStatus, Sender
from api.rasa_client import BotReply, RasaClient
from api.schemas import MessageResult, Reply
from api.system_messages import system_text

log = logging.getLogger(__name__)


class InvalidMessage(ApiError):
    """A message the bot cannot take: empty, or longer than the limit."""

    status_code = 422


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_conversation(session: AsyncSession, *, language: str | None) -> tuple[Conversation, str]:
    """A new conversation and the customer's token for it (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    conversation = Conversation(token_hash=hash_token(token), language=language, state=ConversationState.bot)
    session.add(conversation)
    await session.commit()
    return conversation, token


async def authorized_conversation(session: AsyncSession, conversation_id: str, token: str) -> Conversation:
    """The conversation if `token` is its customer token; the same 404 for unknown ids and foreign tokens."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    if not hmac.compare_digest(conversation.token_hash, hash_token(token)):
        raise Forbidden("this token does not belong to this conversation")
    return conversation


def validate_text(text: str, *, max_chars: int) -> str:
    text = text.strip()
    if not text:
        raise InvalidMessage("the message is empty: write some text")
    if len(text) > max_chars:
        raise InvalidMessage(f"the message is {len(text)} characters long; the limit is {max_chars}")
    return text


async def handle_customer_message(session: AsyncSession, conversation: Conversation, text: str, *, rasa: RasaClient, languages: LanguageGuesser) -> MessageResult:
    """Store the customer's message first, then let the bot answer it if the bot is in charge."""
    language = languages.guess(text, previous=conversation.language)
    conversation.language = language
    message = Message(conversation_id=conversation.id, sender=Sender.customer, text=text, language=language, status=MessageStatus.received)
    session.add(message)
    await session.commit()

    if conversation.state is not ConversationState.bot:
        return MessageResult(message_id=message.id, language=language, replies=[], state=conversation.state)
    try:
        bot_replies = await rasa.send(conversation.id, text, {"language": language})
    except RasaUnavailable as exc:
        log.warning("conversation %s: %s; message %s kept as pending", conversation.id, exc.reason, message.id)
        message.status = MessageStatus.pending
        notice = Message(conversation_id=conversation.id, sender=Sender.system, text=system_text("one_moment", language), language=language)
        session.add(notice)
        await session.commit()
        return MessageResult(message_id=message.id, language=language, replies=[Reply(sender="system", text=notice.text)], state=conversation.state, pending=True)

    for reply in bot_replies:
        session.add(_stored_reply(conversation.id, reply, language))
    message.status = MessageStatus.answered
    await session.commit()
    return MessageResult(
        message_id=message.id,
        language=language,
        replies=[Reply(sender="bot", text=r.text, source=r.source, buttons=r.buttons) for r in bot_replies],
        state=conversation.state,
    )


def _stored_reply(conversation_id: str, reply: BotReply, language: str) -> Message:
    payload = {key: value for key, value in (("source", reply.source), ("buttons", reply.buttons), ("custom", reply.custom)) if value}
    return Message(conversation_id=conversation_id, sender=Sender.bot, text=reply.text, language=language, payload=payload or None)
