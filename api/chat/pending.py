"""Messages the bot could not take when they came (Rasa was down, or the api process asking it died): answered, in order, once it can."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.answering import put_back, release_orphans, take_pending
from api.chat.conversations import ask_bot
from api.chat.lifecycle import resume_if_paused
from api.chat.responders import Responders
from api.domain_errors import RasaUnavailable
from api.storage.leases import hold, holds_duty
from api.storage.models import Conversation, ConversationState, Message, MessageStatus

log = logging.getLogger(__name__)
DUTY = "pending-answers"


async def answer_pending(sessions: async_sessionmaker[AsyncSession], responders: Responders, *, duty_seconds: float) -> int:
    """Answer messages the bot could not take earlier, oldest first; stops at the first failure.

    The duty's lease is renewed before each message: a long pass must not outlive it, or a second replica would start
    answering the same conversations and could overtake an older message with a newer one.
    """
    answered = 0
    checked: set[str] = set()  # conversations whose pause was checked in this pass: once each, not once per message
    async with sessions() as session:
        await release_orphans(session)
        pending = (await session.scalars(select(Message).where(Message.status == MessageStatus.pending).order_by(Message.id).limit(50))).all()
        for message in pending:
            if not await hold(session, DUTY, responders.instance, seconds=duty_seconds):
                break
            conversation = await session.get(Conversation, message.conversation_id)
            if conversation is None or conversation.state is not ConversationState.bot:
                message.status = MessageStatus.received  # a person took over meanwhile: they read it in the transcript
                await session.commit()
                continue
            if not await take_pending(session, message, responders.instance):
                continue
            try:
                if conversation.id not in checked:
                    await resume_if_paused(responders.rasa, conversation.id)
                    checked.add(conversation.id)
                await ask_bot(session, responders, conversation, message)
            except RasaUnavailable:
                await put_back(session, message, responders.instance)
                await session.commit()
                raise
            answered += 1
    return answered


async def answer_pending_when_the_bot_is_back(sessions: async_sessionmaker[AsyncSession], responders: Responders, stop: asyncio.Event, *,
                                              every_seconds: float = 3.0) -> None:
    """The api's background retry of pending messages: nothing a customer wrote stays unanswered."""
    while not stop.is_set():
        try:
            if await holds_duty(sessions, DUTY, responders.instance, seconds=every_seconds * 5):
                await answer_pending(sessions, responders, duty_seconds=every_seconds * 5)
        except RasaUnavailable:
            pass  # still down; the customers were told "one moment"
        except Exception:
            log.exception("answering pending messages failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every_seconds)
