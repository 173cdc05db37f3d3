"""Ratings of agents against a real database (SQLite and PostgreSQL): one per handoff however often or however
simultaneously the customer presses, counted per agent and apart from the bot's own CSAT."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.desk.agent_ratings import rate_agent
from api.domain_errors import Conflict, NotFound
from api.infra.realtime import Hub, agent_channel
from api.office.insights import Period, analytics
from api.storage.models import Agent, Conversation, ConversationState, Handoff, Message, Rating, Sender

NOW = datetime.now(UTC)
PERIOD = Period(since=NOW - timedelta(days=1), until=NOW + timedelta(days=1))


async def helped_by(sessions: async_sessionmaker[AsyncSession], agent_name: str, *, ended: bool = True) -> tuple[str, int]:
    """A closed chat in which the customer wrote, an agent took the handoff and (unless not `ended`) closed it."""
    async with sessions() as session:
        agent = await session.scalar(select(Agent).where(Agent.name == agent_name))
        if agent is None:
            agent = Agent(email=f"{agent_name.lower()}@shop.test", name=agent_name, password_hash="x")
        conversation = Conversation(token_hash="x" * 64, language="cs", state=ConversationState.closed)
        session.add_all([agent, conversation])
        await session.flush()
        session.add(Message(conversation_id=conversation.id, sender=Sender.customer, text="Chci mluvit s člověkem"))
        handoff = Handoff(conversation_id=conversation.id, reason="requested", summary={}, agent_id=agent.id, taken_at=NOW,
                          ended_at=NOW if ended else None)
        session.add(handoff)
        await session.commit()
        return conversation.id, handoff.id


async def press(sessions: async_sessionmaker[AsyncSession], conversation_id: str, handoff_id: int, score: int, comment: str | None = None, *,
                hub: Hub | None = None) -> bool:
    """The customer's press as the route makes it; whether it was thanked for (the first)."""
    async with sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return await rate_agent(session, hub or Hub(), conversation, handoff_id, score, comment) is not None


async def stored(sessions: async_sessionmaker[AsyncSession], handoff_id: int) -> list[tuple[int, str | None]]:
    async with sessions() as session:
        return [(r.score, r.comment) for r in await session.scalars(select(Rating).where(Rating.handoff_id == handoff_id))]


def test_a_second_press_changes_the_rating_and_simultaneous_presses_store_one(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def scenario() -> None:
        conversation, handoff = await helped_by(sessions, "Jana")
        assert await press(sessions, conversation, handoff, 2, "Pomalé") is True
        assert await press(sessions, conversation, handoff, 4) is False  # changed, not added, and not thanked twice
        assert await stored(sessions, handoff) == [(4, "Pomalé")]

        other, other_handoff = await helped_by(sessions, "Petr")
        await asyncio.gather(*(press(sessions, other, other_handoff, score) for score in (3, 5)))  # two tabs at once
        [(score, _)] = await stored(sessions, other_handoff)
        assert score in (3, 5)

    asyncio.run(scenario())


def test_a_comment_sent_after_the_score_is_thanked_once_and_blank_words_keep_the_earlier_one(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def scenario() -> None:
        conversation, handoff = await helped_by(sessions, "Jana")
        assert await press(sessions, conversation, handoff, 2) is True
        assert await press(sessions, conversation, handoff, 2, "  Pomalé odpovědi ") is True  # the widget's comment, after the score
        assert await press(sessions, conversation, handoff, 2, "Pomalé odpovědi") is False  # the same words again
        assert await press(sessions, conversation, handoff, 3, "   ") is False
        assert await stored(sessions, handoff) == [(3, "Pomalé odpovědi")]
        async with sessions() as session:
            thanks = list(await session.scalars(select(Message.text).where(Message.conversation_id == conversation, Message.sender == Sender.system)
                                                .order_by(Message.id)))
        assert thanks == ["Děkujeme za vaše hodnocení!", "Děkujeme za zpětnou vazbu – pomáhá nám se zlepšovat. Hezký den!"]

    asyncio.run(scenario())


def test_the_rated_agents_consoles_hear_the_score_and_then_the_comment(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def scenario() -> None:
        conversation, handoff = await helped_by(sessions, "Jana")
        async with sessions() as session:
            jana = await session.scalar(select(Agent.id).where(Agent.name == "Jana"))
        assert jana is not None
        hub = Hub()
        async with hub.subscribe(agent_channel(jana)) as heard:
            await press(sessions, conversation, handoff, 2, hub=hub)
            await press(sessions, conversation, handoff, 2, "Pomalé", hub=hub)
            events = [heard.get_nowait() for _ in range(heard.qsize())]
        assert [(e["type"], e["conversation_id"], e["handoff_id"], e["score"], e["comment"]) for e in events] == [
            ("rating", conversation, handoff, 2, None), ("rating", conversation, handoff, 2, "Pomalé")]

    asyncio.run(scenario())


def test_only_a_finished_handoff_of_the_same_conversation_is_rated(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def scenario() -> None:
        conversation, handoff = await helped_by(sessions, "Jana", ended=False)
        with pytest.raises(Conflict):
            await press(sessions, conversation, handoff, 5)
        other, _ = await helped_by(sessions, "Petr")
        with pytest.raises(NotFound):
            await press(sessions, other, handoff, 5)
        assert await stored(sessions, handoff) == []

    asyncio.run(scenario())


def test_agents_are_figured_apart_from_the_bots_csat(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def scenario() -> None:
        for name, scores in (("Jana", (5, 4, 1)), ("Petr", (5,))):
            for score in scores:
                conversation, handoff = await helped_by(sessions, name)
                await press(sessions, conversation, handoff, score)
        async with sessions() as session:
            session.add(Rating(conversation_id=conversation, score=2))  # the bot's rating in Petr's chat
            await session.commit()
            figures = await analytics(session, PERIOD)
        assert [(a.agent, a.ratings, a.mean_rating, a.csat) for a in figures.agents] == [
            ("Jana", 3, pytest.approx(3.33), pytest.approx(0.6667)), ("Petr", 1, 5.0, 1.0)]
        assert (figures.total.ratings, figures.total.csat) == (1, 0.0)  # only the bot's

    asyncio.run(scenario())
