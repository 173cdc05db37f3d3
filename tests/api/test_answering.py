"""Who asks the bot about a message, on SQLite and PostgreSQL: a dead process's messages go back to pending, one taker wins."""
from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.answering import mark_answered, release_orphans, sign_of_life, take_pending
from api.storage.leases import hold
from api.storage.models import Conversation, Message, MessageStatus, Sender


async def customer_message(session: AsyncSession, conversation: Conversation, text: str, *, handler: str | None) -> Message:
    message = Message(conversation_id=conversation.id, sender=Sender.customer, text=text, status=MessageStatus.received, handler=handler)
    session.add(message)
    await session.commit()
    return message


async def statuses(session: AsyncSession) -> dict[str, tuple[MessageStatus | None, str | None]]:
    rows = (await session.execute(select(Message.text, Message.status, Message.handler))).all()
    return {text: (status, handler) for text, status, handler in rows}


async def test_the_messages_of_an_api_process_that_stopped_renewing_its_lease_go_back_to_pending(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await sign_of_life(sessions, "alive")
        assert await hold(session, "process:killed", "killed", seconds=0.2)  # its last sign of life
        conversation = Conversation(token_hash="x")
        session.add(conversation)
        await session.commit()
        await customer_message(session, conversation, "asked by the killed process", handler="killed")
        await customer_message(session, conversation, "asked by a live process", handler="alive")
        await customer_message(session, conversation, "for a person", handler=None)
        await customer_message(session, conversation, "asked by a process that never signed", handler="unknown")
        await asyncio.sleep(0.4)
        assert await release_orphans(session, conversation_id=conversation.id) == 2
        assert await statuses(session) == {
            "asked by the killed process": (MessageStatus.pending, None),
            "asked by a live process": (MessageStatus.received, "alive"),
            "for a person": (MessageStatus.received, None),
            "asked by a process that never signed": (MessageStatus.pending, None)}
        assert await release_orphans(session) == 0


async def test_of_two_processes_taking_a_pending_message_one_wins_and_only_the_handler_answers_it(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as first, sessions() as second:
        conversation = Conversation(token_hash="x")
        first.add(conversation)
        await first.commit()
        message = await customer_message(first, conversation, "Kolik stojí doprava?", handler=None)
        message.status = MessageStatus.pending
        await first.commit()
        other_copy = await second.get(Message, message.id)
        assert other_copy is not None
        taken = [await take_pending(first, message, "replica-a"), await take_pending(second, other_copy, "replica-b")]
        assert taken == [True, False]
        assert not await mark_answered(second, other_copy, "replica-b")
        await second.commit()
        assert await mark_answered(first, message, "replica-a")
        await first.commit()
        assert (await statuses(second))["Kolik stojí doprava?"] == (MessageStatus.answered, None)
