"""A conversation's lifecycle: who is in charge of it, every change of that, and Rasa's resume that goes with it.

`ALLOWED` is the whole table. `move` refuses any other change (TransitionNotAllowed, a 409 at the edge) and makes an
allowed one with one conditional UPDATE, so that two agents pressing "take" at once cannot both win, nor an agent and
a customer leaving the queue. Rasa pauses itself when its handoff action runs (`actions/handoff.py`, the bot's half of
bot → waiting); every change that gives the chat back to the bot resumes it here, and nowhere else.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, Protocol, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from api.chat.live_events import announce_queue, publish_messages, publish_queue_changed, publish_state
from api.chat.system_messages import add_system_message
from api.desk.agent_ratings import ask_for_rating
from api.desk.queue import open_handoff
from api.domain_errors import Conflict, Forbidden, NotFound, RasaUnavailable, TransitionNotAllowed
from api.infra.realtime import Hub
from api.storage.models import Agent, Conversation, ConversationState, Handoff, Message

log = logging.getLogger(__name__)
State = ConversationState

ALLOWED: Final[Mapping[tuple[ConversationState, ConversationState], str]] = MappingProxyType({
    (State.bot, State.waiting): "an action asked for a person while someone is online (`request_person`)",
    (State.waiting, State.agent): "an agent took it (`take`)",
    (State.waiting, State.bot): "the customer went back to the bot (`back_to_bot`) or left an e-mail address (`leave_queue_for_ticket`)",
    (State.waiting, State.closed): "the customer left an e-mail address while Rasa could not be resumed: their next message reopens it",
    (State.agent, State.bot): "the agent handed it back (`hand_back`)",
    (State.agent, State.closed): "the agent closed it (`close`)",
    (State.agent, State.waiting): "the agent's console went away: back to the queue (`requeue`)",
    (State.closed, State.bot): "the customer wrote again (`reopen`)",
})


class Resumable(Protocol):
    """The part of the Rasa client this module needs: un-pausing a conversation, and whether it is paused
    (RasaUnavailable when Rasa cannot say or do it)."""

    async def resume(self, conversation_id: str) -> None: ...

    async def paused(self, conversation_id: str) -> bool: ...


def check_transition(before: ConversationState, after: ConversationState) -> None:
    """Refuse a change the table does not have, by name, before anything is written."""
    if (before, after) not in ALLOWED:
        raise TransitionNotAllowed(f"a conversation cannot go from {before.value} to {after.value}")


async def move(session: AsyncSession, conversation_id: str, before: ConversationState, after: ConversationState) -> bool:
    """Change the state from `before` to `after` if it is still `before` (one conditional UPDATE, not committed).

    False when it was not (someone else changed it first): the caller says why to whom it concerns.
    """
    check_transition(before, after)
    result = cast(CursorResult[Any], await session.execute(
        update(Conversation).where(Conversation.id == conversation_id, Conversation.state == before)
        .values(state=after, updated_at=datetime.now(UTC)).execution_options(synchronize_session=False)))
    return result.rowcount == 1


async def existing_conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    """The conversation as stored now (not a stale copy from this session's identity map), or 404."""
    conversation = await session.get(Conversation, conversation_id, populate_existing=True)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return conversation


async def request_person(session: AsyncSession, conversation: Conversation, reason: str, summary: dict[str, Any], *,
                         online: bool) -> bool:
    """An action asked for a person (not committed): with someone online the chat joins the queue (bot → waiting);
    with nobody online it stays with the bot and the handoff notes that the customer was asked for an e-mail address,
    so that the address in their next message becomes a ticket (`contact_capture.leave_contact`). A second request
    reuses an earlier one nobody took. Whether the chat is with a person now (queued, or already there)."""
    if conversation.state is not State.bot:
        return True
    handoff = await open_handoff(session, conversation.id)
    if handoff is None:
        handoff = Handoff(conversation_id=conversation.id, reason=reason, summary=summary)
        session.add(handoff)
    now = datetime.now(UTC)
    handoff.reason, handoff.summary, handoff.requested_at = reason, summary, now
    handoff.email_requested_at = None if online else now
    return online and await move(session, conversation.id, State.bot, State.waiting)


async def take(session: AsyncSession, hub: Hub, conversation_id: str, agent: Agent) -> Conversation:
    """The agent takes a waiting conversation; 409 if someone else was quicker or it is not waiting."""
    agent_id, agent_name = agent.id, agent.name
    if not await move(session, conversation_id, State.waiting, State.agent):  # the session's end rolls the empty transaction back
        conversation = await existing_conversation(session, conversation_id)
        raise Conflict(f"this conversation is {conversation.state.value}, not waiting: another agent may have taken it")
    conversation = await existing_conversation(session, conversation_id)
    handoff = await open_handoff(session, conversation_id)
    if handoff is not None:
        handoff.taken_at, handoff.agent_id = datetime.now(UTC), agent_id
    joined = add_system_message(session, conversation, "agent_joined", agent=agent_name)
    await session.commit()
    await publish_messages(session, hub, conversation, [joined])
    publish_state(hub, conversation.id, conversation.state, agent_name=agent_name)
    await announce_queue(session, hub)
    return conversation


async def held_by(session: AsyncSession, conversation_id: str, agent: Agent) -> tuple[Conversation, Handoff]:
    """The conversation if this agent holds it; 409 if nobody does, 403 if another agent does."""
    conversation = await existing_conversation(session, conversation_id)
    handoff = await open_handoff(session, conversation_id)
    if conversation.state is not State.agent or handoff is None:
        raise Conflict(f"this conversation is {conversation.state.value}: take it first")
    if handoff.agent_id != agent.id:
        raise Forbidden("another agent holds this conversation")
    return conversation, handoff


async def _finish(session: AsyncSession, hub: Hub, conversation_id: str, agent: Agent, to: ConversationState) -> Conversation:
    """The agent lets go of the chat (to the bot, or closed); the customer is told in their language and asked to rate
    the agent's help."""
    _, handoff = await held_by(session, conversation_id, agent)
    if not await move(session, conversation_id, State.agent, to):  # their console went away meanwhile: it waits again
        raise Conflict("this conversation went back to the queue meanwhile: take it first")
    conversation = await existing_conversation(session, conversation_id)
    handoff.ended_at = datetime.now(UTC)
    notice = add_system_message(session, conversation, "agent_left" if to is State.bot else "conversation_closed", agent=agent.name)
    question = ask_for_rating(session, conversation, handoff, agent.name)
    await session.commit()
    await publish_messages(session, hub, conversation, [notice, question])
    publish_state(hub, conversation.id, conversation.state)
    publish_queue_changed(hub)
    return conversation


async def hand_back(session: AsyncSession, hub: Hub, rasa: Resumable, conversation_id: str, agent: Agent) -> Conversation:
    """The bot answers again, with the conversation's earlier context. Rasa is resumed first: were it down, the chat
    would be the bot's while Rasa stayed paused, and the customer's next messages would get no answer; instead the
    agent keeps the chat and is told (RasaUnavailable)."""
    await held_by(session, conversation_id, agent)
    await rasa.resume(conversation_id)
    return await _finish(session, hub, conversation_id, agent, State.bot)


async def close(session: AsyncSession, hub: Hub, rasa: Resumable, conversation_id: str, agent: Agent) -> Conversation:
    """The agent closes the chat; Rasa is resumed for the customer's next visit (if it is down now, `reopen` does it)."""
    conversation = await _finish(session, hub, conversation_id, agent, State.closed)
    try:
        await rasa.resume(conversation.id)
    except RasaUnavailable:
        pass
    return conversation


async def requeue(session: AsyncSession, hub: Hub, agent_id: int) -> list[str]:
    """Put the agent's chats back in the queue (their console went away); returns the conversation ids."""
    handoffs = (await session.scalars(select(Handoff).join(Conversation, Conversation.id == Handoff.conversation_id).where(
        Handoff.agent_id == agent_id, Handoff.ended_at.is_(None), Conversation.state == State.agent))).all()
    moved = []
    for handoff in handoffs:
        if await move(session, handoff.conversation_id, State.agent, State.waiting):
            handoff.taken_at, handoff.agent_id = None, None
            moved.append(handoff.conversation_id)
    await session.commit()
    for conversation_id in moved:
        publish_state(hub, conversation_id, State.waiting)
    if moved:
        await announce_queue(session, hub)
    return moved


def _not_waiting(conversation: Conversation) -> Conflict:
    """Why a chat cannot leave the queue: an agent has it, or it is not in the queue at all."""
    if conversation.state is State.agent:
        return Conflict("a colleague has already taken this chat")
    return Conflict(f"this chat is {conversation.state.value}, not waiting for a person")


async def _leave_queue(session: AsyncSession, conversation_id: str, to: ConversationState) -> None:
    """Out of `waiting` in one conditional UPDATE, so that an agent taking the chat at the same moment wins cleanly (Conflict)."""
    if not await move(session, conversation_id, State.waiting, to):
        raise _not_waiting(await existing_conversation(session, conversation_id))


async def announce_left_queue(session: AsyncSession, hub: Hub, conversation: Conversation, notice: Message) -> None:
    """The customer's tabs hear the notice and the new state, consoles that the queue changed, the others their new places."""
    await publish_messages(session, hub, conversation, [notice])
    publish_state(hub, conversation.id, conversation.state)
    await announce_queue(session, hub)


async def back_to_bot(session: AsyncSession, hub: Hub, rasa: Resumable, conversation_id: str) -> tuple[Conversation, Message]:
    """The customer stops waiting for a person (the widget's button, or saying so): the chat leaves the queue and the
    bot answers again. Rasa is resumed first (it paused at the handoff): if it cannot be, the customer keeps their place
    (RasaUnavailable). Conflict when the chat is not waiting, e.g. an agent has just taken it."""
    conversation = await existing_conversation(session, conversation_id)
    if conversation.state is not State.waiting:
        raise _not_waiting(conversation)
    await rasa.resume(conversation_id)
    await _leave_queue(session, conversation_id, State.bot)
    handoff = await open_handoff(session, conversation_id)
    if handoff is not None:
        handoff.ended_at = datetime.now(UTC)
    conversation = await existing_conversation(session, conversation_id)
    notice = add_system_message(session, conversation, "back_to_bot")
    await session.commit()
    await announce_left_queue(session, hub, conversation, notice)
    return conversation, notice


async def leave_queue_for_ticket(session: AsyncSession, rasa: Resumable, conversation_id: str) -> None:
    """A waiting customer left an e-mail address: nothing is left for an agent to take, so the bot takes the chat again
    (not committed). Rasa is resumed first; were it down, the chat is closed instead, and the customer's next message
    reopens it for the bot. Conflict if an agent took the chat meanwhile."""
    try:
        await rasa.resume(conversation_id)
        to = State.bot
    except RasaUnavailable as exc:
        log.warning("conversation %s: %s; closed, so that its next message resumes the bot", conversation_id, exc.reason)
        to = State.closed
    await _leave_queue(session, conversation_id, to)


async def reopen(session: AsyncSession, conversation: Conversation) -> bool:
    """The customer wrote to a closed chat: the bot takes it again (not committed). Whether it was closed; Rasa is
    resumed by `resume_reopened` when the bot is asked (it paused itself when the chat went to a person)."""
    if conversation.state is not State.closed:
        return False
    await move(session, conversation.id, State.closed, State.bot)  # a second tab's message may have reopened it first
    set_committed_value(conversation, "state", State.bot)  # this copy follows the row, without writing it again
    return True


async def resume_if_paused(rasa: Resumable, conversation_id: str) -> None:
    """Before a message Rasa could not take earlier is asked again: the resume that should have come with it (a closed
    chat reopened, or closed, while Rasa was down) may never have reached Rasa, and a paused Rasa answers nothing."""
    if await rasa.paused(conversation_id):
        await rasa.resume(conversation_id)


async def resume_reopened(rasa: Resumable, conversation_id: str) -> None:
    """Un-pause Rasa for a chat `reopen` gave back to the bot, before the bot is asked (RasaUnavailable if it is down)."""
    await rasa.resume(conversation_id)
