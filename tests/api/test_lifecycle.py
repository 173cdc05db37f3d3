"""A conversation's lifecycle table against a real database: every allowed change is made, anything else is refused
by name (a 409 at the edge), and a change from a state the conversation has left meanwhile makes none."""
from __future__ import annotations

import itertools

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.lifecycle import ALLOWED, check_transition, move, reopen
from api.domain_errors import TransitionNotAllowed
from api.storage.models import Conversation, ConversationState
from api.web.errors import install_error_handlers

State = ConversationState
DISALLOWED = [pair for pair in itertools.product(State, State) if pair not in ALLOWED]


async def conversation_in(sessions: async_sessionmaker[AsyncSession], state: ConversationState) -> str:
    async with sessions() as session:
        conversation = Conversation(token_hash="x" * 64, language="cs", state=state)
        session.add(conversation)
        await session.commit()
        return conversation.id


async def stored_state(sessions: async_sessionmaker[AsyncSession], conversation_id: str) -> ConversationState:
    async with sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.state


def test_the_table_has_the_lifecycle_the_readme_describes() -> None:
    """bot → waiting → agent → bot or closed; the queue can be left for the bot (or, Rasa down, closed); a console that
    went away puts its chats back in the queue; a closed chat the customer writes to is the bot's again."""
    assert set(ALLOWED) == {(State.bot, State.waiting), (State.waiting, State.agent), (State.waiting, State.bot), (State.waiting, State.closed),
                            (State.agent, State.bot), (State.agent, State.closed), (State.agent, State.waiting), (State.closed, State.bot)}
    assert all(reason for reason in ALLOWED.values())


@pytest.mark.parametrize(("before", "after"), sorted(ALLOWED, key=str), ids=lambda s: s.value)
async def test_every_allowed_transition_is_made(sessions: async_sessionmaker[AsyncSession], before: ConversationState,
                                          after: ConversationState) -> None:
    conversation_id = await conversation_in(sessions, before)
    async with sessions() as session:
        assert await move(session, conversation_id, before, after)
        await session.commit()
    assert await stored_state(sessions, conversation_id) is after


@pytest.mark.parametrize(("before", "after"), DISALLOWED, ids=lambda s: s.value)
async def test_a_transition_outside_the_table_is_refused_and_changes_nothing(sessions: async_sessionmaker[AsyncSession], before: ConversationState,
                                                                        after: ConversationState) -> None:
    conversation_id = await conversation_in(sessions, before)
    async with sessions() as session:
        with pytest.raises(TransitionNotAllowed, match=f"from {before.value} to {after.value}"):
            await move(session, conversation_id, before, after)
        await session.commit()
    assert await stored_state(sessions, conversation_id) is before


async def test_a_transition_from_a_state_the_conversation_left_meanwhile_changes_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    """E.g. a second agent's "take" after the first one's: the caller learns it lost, the row keeps the winner's state."""
    conversation_id = await conversation_in(sessions, State.agent)
    async with sessions() as session:
        assert not await move(session, conversation_id, State.waiting, State.agent)
        assert not await move(session, conversation_id, State.waiting, State.bot)
        await session.commit()
    assert await stored_state(sessions, conversation_id) is State.agent


async def test_a_closed_chat_is_reopened_for_the_bot_once_and_a_stale_copy_does_not_fail(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Two tabs may send at once: the second one's copy still says closed, and the chat is the bot's either way."""
    conversation_id = await conversation_in(sessions, State.closed)
    async with sessions() as first, sessions() as second:
        mine, stale = await first.get(Conversation, conversation_id), await second.get(Conversation, conversation_id)
        assert mine is not None and stale is not None
        assert await reopen(first, mine) and mine.state is State.bot
        await first.commit()
        assert await reopen(second, stale) and stale.state is State.bot
        await second.commit()
        assert not await reopen(first, mine)  # the bot's already: nothing to reopen
    assert await stored_state(sessions, conversation_id) is State.bot


def test_a_refused_transition_reaches_the_client_as_a_409_with_its_reason() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/change")
    def change() -> None:
        check_transition(State.closed, State.agent)

    response = TestClient(app).post("/change")
    assert response.status_code == 409
    assert response.json() == {"detail": "a conversation cannot go from closed to agent"}
