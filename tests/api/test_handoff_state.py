"""The handoff state machine against a real database (no servers): who is online, nobody online, waiting too long,
taking, requeueing."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actions.desk import HandoffReceipt
from api.chat.lifecycle import requeue, take
from api.chat.system_messages import system_text
from api.desk.agents import create_agent
from api.desk.presence import anyone_online, console_seen
from api.desk.queue_waits import offer_contact_after_wait
from api.desk.service_desk import DatabaseDesk
from api.domain_errors import Conflict
from api.infra.realtime import Hub, conversation_channel
from api.settings import Settings
from api.storage.models import Agent, Conversation, ConversationState, Handoff, Message, Presence, Sender


async def agent_on_duty(session: AsyncSession, *, presence: Presence = Presence.online, seen: timedelta | None = timedelta(0),
                        active: bool = True) -> Agent:
    """An agent with the given status whose console was last seen `seen` ago (None: never, or gone)."""
    agent = Agent(email=f"{uuid.uuid4().hex}@domovo.test", name="Duty", password_hash="x", presence=presence, active=active,
                  console_seen_at=None if seen is None else datetime.now(UTC) - seen)
    session.add(agent)
    await session.commit()
    return agent


async def bot_conversation(sessions, language: str) -> str:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        conversation = Conversation(token_hash="x" * 64, language=language, state=ConversationState.bot)
        session.add(conversation)
        await session.commit()
        return conversation.id


async def queued_conversation(sessions, language: str) -> str:  # type: ignore[no-untyped-def]
    """A customer asks for a person while someone is online: the chat waits in the queue."""
    conversation_id = await bot_conversation(sessions, language)
    async with sessions() as session:
        await agent_on_duty(session)
    receipt = await DatabaseDesk(sessions, Settings()).request_handoff(conversation_id, "requested", {"language": language, "last_question": "Kde je balík?"})
    assert receipt.queued
    return conversation_id


async def test_with_nobody_online_a_request_for_a_person_stays_with_the_bot_which_asks_for_an_email(sessions) -> None:  # type: ignore[no-untyped-def]
    conversation_id = await bot_conversation(sessions, "pl")
    async with sessions() as session:
        await agent_on_duty(session, presence=Presence.away)  # signed in, but chose Away
    desk = DatabaseDesk(sessions, Settings(offline_reply_hours=8))
    assert await desk.request_handoff(conversation_id, "requested", {"language": "pl"}) == HandoffReceipt(queued=False, reply_hours=8)
    assert await desk.request_handoff(conversation_id, "angry", {"language": "pl"}) == HandoffReceipt(queued=False, reply_hours=8)
    async with sessions() as session:
        assert (await session.get(Conversation, conversation_id)).state is ConversationState.bot  # never in the queue
        [handoff] = (await session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id))).all()  # asked once more, one request
        assert handoff.reason == "angry" and handoff.email_requested_at is not None and handoff.ended_at is None
        await agent_on_duty(session)
    assert (await desk.request_handoff(conversation_id, "requested", {"language": "pl"})).queued  # someone came: the queue
    async with sessions() as session:
        assert (await session.get(Conversation, conversation_id)).state is ConversationState.waiting
        handoff = await session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id))
        assert handoff.email_requested_at is None  # the queue's wait starts afresh


@pytest.mark.parametrize(("presence", "seen", "active", "online"), [
    (Presence.online, timedelta(seconds=5), True, True),
    (Presence.away, timedelta(seconds=5), True, False),  # chose Away
    (Presence.online, None, True, False),  # no console open (or gone past the reconnect grace)
    (Presence.online, timedelta(seconds=120), True, False),  # a console on a replica that died three checks ago
    (Presence.online, timedelta(seconds=5), False, False),  # disabled
], ids=["available", "away", "no-console", "stale-console", "disabled"])
async def test_someone_is_online_only_available_with_a_console_seen_lately(sessions, presence: Presence, seen: timedelta | None,  # type: ignore[no-untyped-def]
                                                                          active: bool, online: bool) -> None:
    async with sessions() as session:
        agent = await agent_on_duty(session, presence=presence, seen=seen, active=active)
        assert await anyone_online(session, check_seconds=30) is online
        await console_seen(session, agent.id, gone=True)
        assert not await anyone_online(session, check_seconds=30)


async def test_a_customer_waiting_too_long_is_asked_for_an_email_once_in_their_language(sessions) -> None:  # type: ignore[no-untyped-def]
    conversation_id = await queued_conversation(sessions, "cs")
    hub = Hub()
    async with hub.subscribe(conversation_channel(conversation_id)) as events:
        async with sessions() as session:
            assert await offer_contact_after_wait(session, hub, wait_seconds=3600, reply_hours=24) == 0  # not yet
            assert await offer_contact_after_wait(session, hub, wait_seconds=0, reply_hours=24) == 1
            assert await offer_contact_after_wait(session, hub, wait_seconds=0, reply_hours=24) == 0  # only once
        event = events.get_nowait()
    assert event["text"] == system_text("nobody_took_it", "cs", hours=24) and event["sender"] == "system"
    async with sessions() as session:
        [message] = (await session.scalars(select(Message).where(Message.conversation_id == conversation_id))).all()
        assert message.sender is Sender.system and message.language == "cs"
        handoff = await session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id))
        assert handoff.email_requested_at is not None


async def test_when_every_agent_has_gone_the_queue_is_told_at_once_and_asked_for_an_email(sessions) -> None:  # type: ignore[no-untyped-def]
    conversation_id = await queued_conversation(sessions, "lv")
    hub = Hub()
    async with hub.subscribe(conversation_channel(conversation_id)) as events, sessions() as session:
        assert await offer_contact_after_wait(session, hub, wait_seconds=3600, reply_hours=12, anyone_online=False) == 1  # no waiting for it
        assert await offer_contact_after_wait(session, hub, wait_seconds=0, reply_hours=12) == 0  # asked once
        event = events.get_nowait()
    assert event["text"] == system_text("everyone_left", "lv", hours=12)


async def test_only_a_waiting_conversation_can_be_taken_and_a_requeued_one_can_be_taken_again(sessions) -> None:  # type: ignore[no-untyped-def]
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


async def test_an_expired_agent_session_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from api.desk.agents import agent_for_token, sign_in
    from api.domain_errors import NotAuthenticated

    async with sessions() as session:
        await create_agent(session, email="eva@domovo.test", name="Eva", password="long-enough-password")  # pragma: allowlist secret
        _, fresh, _ = await sign_in(session, email="eva@domovo.test", password="long-enough-password", ttl=timedelta(hours=1))
        _, stale, _ = await sign_in(session, email="EVA@domovo.test", password="long-enough-password", ttl=timedelta(seconds=-1))
        assert (await agent_for_token(session, fresh)).name == "Eva"
        with pytest.raises(NotAuthenticated):
            await agent_for_token(session, stale)
        with pytest.raises(NotAuthenticated):
            await sign_in(session, email="eva@domovo.test", password="wrong password!", ttl=timedelta(hours=1))
