"""Conversations and their messages: the api owns them, Rasa is asked only while the bot is in charge."""
from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.answering import mark_answered, put_back, release_orphans
from api.chat.lifecycle import reopen, resume_reopened
from api.chat.live_events import announce_queue, publish_messages
from api.chat.rasa_client import BotReply, embedded_once, text_for_rasa
from api.chat.responders import Responders
from api.chat.system_messages import system_text
from api.chat.waiting import queued_notice, while_waiting
from api.desk.contact_capture import leave_contact
from api.desk.presence import someone_online
from api.domain_errors import InvalidMessage, NotFound, RasaUnavailable
from api.infra.tokens import hash_token, new_token
from api.storage.models import Conversation, ConversationState, Message, MessageStatus, Sender, Visitor
from contracts.metadata import MessageMetadata
from contracts.payloads import CustomerPayload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handled:
    """What became of a customer's message: stored as `message_id`, and what was said to it at once (stored too);
    `pending` when the bot could not answer yet (the message is kept and answered later)."""

    message_id: int
    language: str
    replies: list[Message]
    state: ConversationState
    pending: bool = False


async def _visitor(session: AsyncSession, visitor_token: str | None) -> tuple[Visitor, str]:
    """The visitor whose token the widget kept, or a new one (an unknown token is simply replaced)."""
    if visitor_token:
        visitor = await session.scalar(select(Visitor).where(Visitor.token_hash == hash_token(visitor_token)))
        if visitor is not None:
            return visitor, visitor_token
    token = new_token()
    visitor = Visitor(token_hash=hash_token(token))
    session.add(visitor)
    await session.flush()
    return visitor, token


async def create_conversation(session: AsyncSession, *, language: str | None, visitor_token: str | None = None) -> tuple[Conversation, str, str]:
    """A new conversation, the customer's token for it and the visitor token (only hashes are stored)."""
    visitor, visitor_token = await _visitor(session, visitor_token)
    token = new_token()
    conversation = Conversation(token_hash=hash_token(token), language=language, state=ConversationState.bot, visitor_id=visitor.id)
    session.add(conversation)
    await session.commit()
    return conversation, token, visitor_token


def returning_visitor(conversation: Conversation) -> ColumnElement[bool]:
    """The same visitor had a conversation before this one: a condition, read with the other facts Rasa cannot know."""
    if conversation.visitor_id is None:
        return false()
    return exists().where(Conversation.visitor_id == conversation.visitor_id, Conversation.created_at < conversation.created_at)


async def authorized_conversation(session: AsyncSession, conversation_id: str, token: str) -> Conversation:
    """The conversation if `token` is its customer token; the same 404 for unknown ids and foreign tokens.

    A 403 for a foreign token would confirm that the id exists: whoever holds a token learns nothing of others.
    """
    token_hash = hash_token(token)
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or not hmac.compare_digest(conversation.token_hash, token_hash):
        raise NotFound("no such conversation for this token")
    return conversation


def validate_text(text: str, *, max_chars: int) -> str:
    """The text as stored; refused with the reason when the bot cannot take it (PostgreSQL cannot store a NUL in text)."""
    text = text.strip()
    if not text:
        raise InvalidMessage("the message is empty: write some text")
    if "\x00" in text:
        raise InvalidMessage("the message contains a NUL character (\\x00), which is not text: remove it and send again")
    if len(text) > max_chars:
        raise InvalidMessage(f"the message is {len(text)} characters long; the limit is {max_chars}")
    return text


async def _earlier_messages(session: AsyncSession, conversation_id: str) -> list[Message]:
    """The conversation's latest customer messages and every one still pending, in one statement: what a resend
    (`_already_received`) and the order of the bot's answers (`_pending_among`) are read from."""
    latest = select(Message.id).where(Message.conversation_id == conversation_id, Message.sender == Sender.customer).order_by(Message.id.desc()).limit(50)
    return list(await session.scalars(select(Message).where(Message.conversation_id == conversation_id, Message.sender == Sender.customer,
                                                           or_(Message.id.in_(latest), Message.status == MessageStatus.pending))))


def _already_received(earlier: list[Message], client_id: str | None) -> Message | None:
    """A message with this client id among the conversation's latest: a resend after a broken connection."""
    return next((m for m in earlier if client_id and CustomerPayload.from_json(m.payload).client_id == client_id), None)


def _pending_among(earlier: list[Message]) -> bool:
    """An earlier message still waits for the bot: this one is answered after it, to keep the order."""
    return any(m.status is MessageStatus.pending for m in earlier)


async def handle_customer_message(session: AsyncSession, responders: Responders, conversation: Conversation, text: str, *,
                                  payload: str | None = None, client_id: str | None = None) -> Handled:
    """Store the customer's message first, then let whoever is in charge see it: the bot, or the agents.

    `payload` is what a button sends to the bot (`/intent{...}`); `text` is the button's title, which is
    what the customer saw and what the transcript shows. A button press keeps the conversation's language.
    """
    await release_orphans(session, conversation_id=conversation.id)  # one whose api process died is answered before this one
    earlier = await _earlier_messages(session, conversation.id)
    if (resent := _already_received(earlier, client_id)) is not None:
        return Handled(message_id=resent.id, language=resent.language or responders.shop.current.default_language, replies=[], state=conversation.state,
                       pending=resent.status is MessageStatus.pending or resent.handler is not None)
    language = (conversation.language or responders.shop.current.default_language) if payload else responders.languages.guess(text, previous=conversation.language)
    conversation.language = language
    reopened = await reopen(session, conversation)  # the customer came back to a closed chat: the bot takes it again
    for_bot = conversation.state is ConversationState.bot
    message = Message(conversation_id=conversation.id, sender=Sender.customer, text=text, language=language, status=MessageStatus.received,
                      payload=CustomerPayload(button=payload, client_id=client_id).to_json(),
                      handler=responders.instance if for_bot else None)
    session.add(message)
    await session.commit()  # stored before anyone is asked: a crash from here on loses nothing (api/chat/answering.py)
    await publish_messages(session, responders.hub, conversation, [message], state=conversation.state)

    if conversation.state is ConversationState.agent:  # a person is in charge: the bot says nothing
        return Handled(message_id=message.id, language=language, replies=[], state=conversation.state)
    if conversation.state is ConversationState.waiting:  # heard by the queue, answered where the FAQ can, or back to the bot
        replies = await while_waiting(session, responders, conversation, message)
        return Handled(message_id=message.id, language=language, replies=replies, state=conversation.state)
    filed = await leave_contact(session, responders.hub, responders.rasa, conversation, message, reply_hours=responders.reply_hours,
                                number_prefix=responders.contact_number_prefix)  # the bot asked for an e-mail (nobody online)
    if filed is not None:
        message.handler = None  # a ticket now, not the bot's: after a restart of this process it must not be asked about it
        await session.commit()
        return Handled(message_id=message.id, language=language, replies=filed, state=conversation.state)
    if _pending_among(earlier):  # keep the order: the older one is answered first
        await put_back(session, message, responders.instance)
        await session.commit()
        return Handled(message_id=message.id, language=language, replies=[], state=conversation.state, pending=True)
    try:
        if reopened:
            await resume_reopened(responders.rasa, conversation.id)
        stored = await ask_bot(session, responders, conversation, message)
    except RasaUnavailable as exc:
        log.warning("conversation %s: %s; message %s kept as pending", conversation.id, exc.reason, message.id)
        await put_back(session, message, responders.instance)
        notice = Message(conversation_id=conversation.id, sender=Sender.system, text=system_text("one_moment", language), language=language)
        session.add(notice)
        await session.commit()
        await publish_messages(session, responders.hub, conversation, [notice], state=conversation.state)
        return Handled(message_id=message.id, language=language, replies=[notice], state=conversation.state, pending=True)
    return Handled(message_id=message.id, language=language, replies=stored, state=conversation.state)


async def ask_bot(session: AsyncSession, responders: Responders, conversation: Conversation, message: Message) -> list[Message]:
    """Send a stored customer message this process handles to Rasa; store, publish and return the replies (RasaUnavailable if it is down).

    Nothing is stored if another process took the message over meanwhile (this one was taken for gone): it stores the answer.
    """
    language = message.language or conversation.language or responders.shop.current.default_language
    online, returning = (await session.execute(select(someone_online(check_seconds=responders.online_check_seconds),
                                                      returning_visitor(conversation)))).one()  # one statement for both
    metadata = MessageMetadata(language=language, returning=bool(returning), agents_online=bool(online), shop_name=responders.shop.current.name).to_json()
    text = text_for_rasa(message)
    metadata |= await embedded_once(responders.knowledge, text, language)  # the action's search finds the same vector
    bot_replies = await responders.rasa.send(conversation.id, text, metadata, message_id=str(message.id))
    stored = [_stored_reply(conversation.id, reply, language) for reply in bot_replies]
    if not await mark_answered(session, message, responders.instance):
        await session.commit()  # ends the transaction (on SQLite the UPDATE took the write lock even though it changed nothing)
        log.warning("conversation %s: message %s was taken over by another api process, which stores the answer", conversation.id, message.id)
        return []
    await session.refresh(conversation, ["state"])  # an action may have queued it for a person meanwhile
    if conversation.state is ConversationState.waiting:
        stored.append(await queued_notice(session, conversation))
    session.add_all(stored)
    await session.commit()  # the replies and the message's answered mark together
    await publish_messages(session, responders.hub, conversation, stored, state=conversation.state)
    if conversation.state is ConversationState.waiting:
        await announce_queue(session, responders.hub)
    return stored


def _stored_reply(conversation_id: str, reply: BotReply, language: str) -> Message:
    return Message(conversation_id=conversation_id, sender=Sender.bot, text=reply.text, language=language, payload=reply.payload.to_json())
