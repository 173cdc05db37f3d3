"""Messages the bot could not take when they came (Rasa was down): answered, in order, once it is back."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import select

from api.conversations import ask_bot
from api.deps import Services
from api.errors import RasaUnavailable
from api.leases import holds_duty
from api.models import Conversation, ConversationState, Message, MessageStatus

log = logging.getLogger(__name__)


async def answer_pending(services: Services) -> int:
    """Answer messages the bot could not take earlier (Rasa was down), oldest first; stops at the first failure."""
    answered = 0
    async with services.sessions() as session:
        pending = (await session.scalars(select(Message).where(Message.status == MessageStatus.pending).order_by(Message.id).limit(50))).all()
        for message in pending:
            conversation = await session.get(Conversation, message.conversation_id)
            if conversation is None or conversation.state is not ConversationState.bot:
                message.status = MessageStatus.received  # a person took over meanwhile: they read it in the transcript
                await session.commit()
                continue
            await ask_bot(session, services, conversation, message)
            answered += 1
    return answered


async def answer_pending_when_the_bot_is_back(services: Services, stop: asyncio.Event, *, every_seconds: float = 3.0) -> None:
    """The api's background retry of pending messages: nothing a customer wrote stays unanswered."""
    while not stop.is_set():
        try:
            if await holds_duty(services.sessions, "pending-answers", services.instance, seconds=every_seconds * 5):
                await answer_pending(services)
        except RasaUnavailable:
            pass  # still down; the customers were told "one moment"
        except Exception:
            log.exception("answering pending messages failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every_seconds)
