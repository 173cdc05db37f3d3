"""The handoff state machine against a real SQLite database (no servers): waiting too long, taking, requeueing."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from api.agents import create_agent
from api.desk import DatabaseDesk
from api.errors import Conflict
from api.handoffs import offer_contact_after_wait, requeue, take
from api.models import Conversation, ConversationState, Handoff, Message, Sender
from api.realtime import Hub, conversation_channel
from api.settings import Settings
from api.system_messages import system_text


async def queued_conversation(sessions, language: str) -> str:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        conversation = Conversation(token_hash="x" * 64, language=language, state=ConversationState.bot)
        session.add(conversation)
        await session.commit()
    desk = DatabaseDesk(sessions, Settings())
    await desk.request_handoff(conversation.id, "requested", {"language": language, "last_question": "Kde je balík?"})
    return conversation.id


def test_a_customer_waiting_too_long_is_asked_for_an_email_once_in_their_language(sessions) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        conversation_id = await queued_conversation(sessions, "cs")
        hub = Hub()
        async with hub.subscribe(conversation_channel(conversation_id)) as events:
            async with sessions() as session:
                assert await offer_contact_after_wait(session, hub, wait_seconds=3600) == 0  # not yet
                assert await offer_contact_after_wait(session, hub, wait_seconds=0) == 1
                assert await offer_contact_after_wait(session, hub, wait_seconds=0) == 0  # only once
            event = events.get_nowait()
        assert event["text"] == system_text("nobody_took_it", "cs") and event["sender"] == "system"
        async with sessions() as session:
            [message] = (await session.scalars(select(Message).where(Message.conversation_id == conversation_id))).all()
            assert message.sender is Sender.system and message.language == "cs"
            handoff = await session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id))
            assert handoff.email_requested_at is not None

    asyncio.run(scenario())


def test_only_a_waiting_conversation_can_be_taken_and_a_requeued_one_can_be_taken_again(sessions) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        conversation_id = await queued_conversation(sessions, "lv")
        hub = Hub()
        async with sessions() as session:
            anna = await create_agent(session, email="anna@domovo.test", name="Anna", password="long-enough-password")  # pragma: allowlist secret
            karlis = await create_agent(session, email="karlis@domovo.test", name="Kārlis", password="long-enough-password")  # pragma: allowlist secret
            anna_id = anna.id
            await take(session, hub, conversation_id, anna)
            with pytest.raises(Conflict):
                await take(session, hub, conversation_id, karlis)
            assert await requeue(session, hub, anna_id) == [conversation_id]
            assert (await session.get(Conversation, conversation_id, populate_existing=True)).state is ConversationState.waiting
            await take(session, hub, conversation_id, karlis)
            texts = [m.text for m in await session.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id))]
        assert texts == [system_text("agent_joined", "lv", agent="Anna"), system_text("agent_joined", "lv", agent="Kārlis")]

    asyncio.run(scenario())


def test_an_expired_agent_session_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from api.agents import agent_for_token, sign_in
    from api.errors import NotAuthenticated

    async def scenario() -> None:
        async with sessions() as session:
            await create_agent(session, email="eva@domovo.test", name="Eva", password="long-enough-password")  # pragma: allowlist secret
            _, fresh, _ = await sign_in(session, email="eva@domovo.test", password="long-enough-password", ttl=timedelta(hours=1))
            _, stale, _ = await sign_in(session, email="EVA@domovo.test", password="long-enough-password", ttl=timedelta(seconds=-1))
            assert (await agent_for_token(session, fresh)).name == "Eva"
            with pytest.raises(NotAuthenticated):
                await agent_for_token(session, stale)
            with pytest.raises(NotAuthenticated):
                await sign_in(session, email="eva@domovo.test", password="wrong password!", ttl=timedelta(hours=1))

    asyncio.run(scenario())
