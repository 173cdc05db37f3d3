"""The conversation state machine for people: bot → waiting → agent → bot (hand-back) or closed.

A waiting customer may also leave the queue for the bot (`back_to_bot`), or leave an e-mail address once asked for
one (`leave_contact`): the chat becomes a ticket and the bot takes it again. With nobody online a request for a person
never enters the queue: the bot asks for the address (`desk.request_handoff`). Only these functions change
`Conversation.state` once a person is involved, and each change out of the queue is one conditional UPDATE, so two
agents pressing "take" at once cannot both win, nor an agent and a customer leaving.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from actions.contact_details import find_email
from api import presence
from api.errors import Conflict, Forbidden, NotFound, RasaUnavailable
from api.leases import holds_duty
from api.models import Agent, Conversation, ConversationState, Handoff, Message, Sender, Ticket, TicketKind
from api.queue import open_handoff, queue_position
from api.realtime import AGENTS, Hub, agent_channel, conversation_channel
from api.system_messages import system_text
from api.tickets import add_numbered
from api.transcripts import message_out

if TYPE_CHECKING:
    from api.deps import Services

log = logging.getLogger(__name__)
LOOKS_LIKE_EMAIL = re.compile(r"\S@|@\S")  # a word with an @ in it, but not an address: likely a typo


def message_event(message: Message, *, agent_name: str | None = None) -> dict[str, Any]:
    """A stored message as customers and agents receive it live: the transcript's form of it (`message_out`), typed."""
    return {"type": "message", "conversation_id": message.conversation_id, **message_out(message, {}).model_dump(mode="json"), "agent": agent_name}


async def consoles_of(session: AsyncSession, conversation_id: str) -> str | None:
    """Which consoles may follow the conversation live: every one while it waits (anyone may take it), its holder's
    while an agent has it, none while the bot alone handles it (an agent reads that transcript over REST if needed)."""
    row = (await session.execute(
        select(Conversation.state, Handoff.agent_id).outerjoin(Handoff, (Handoff.conversation_id == Conversation.id) & Handoff.ended_at.is_(None))
        .where(Conversation.id == conversation_id).order_by(Handoff.id.desc()).limit(1))).first()
    if row is None:
        return None
    state, holder = row
    if state is ConversationState.waiting:
        return AGENTS
    if state is ConversationState.agent and holder is not None:
        return agent_channel(holder)
    return None


async def publish_messages(session: AsyncSession, hub: Hub, conversation: Conversation, messages: list[Message], *,
                           agent_name: str | None = None) -> None:
    """Customers see their conversation; consoles see it only while it waits or, its holder's, while an agent has it."""
    consoles = await consoles_of(session, conversation.id)
    for message in messages:
        event = message_event(message, agent_name=agent_name)
        hub.publish(conversation_channel(conversation.id), event)
        if consoles is not None:
            hub.publish(consoles, event)


async def announce_queue(session: AsyncSession, hub: Hub) -> None:
    """Tell each waiting customer their place, and every console that the queue changed."""
    waiting = await session.scalars(select(Conversation.id).where(Conversation.state == ConversationState.waiting))
    for conversation_id in waiting:
        position = await queue_position(session, conversation_id)
        hub.publish(conversation_channel(conversation_id), {"type": "queue", "position": position})
    hub.publish(AGENTS, {"type": "queue_changed"})


async def _system_message(session: AsyncSession, conversation: Conversation, key: str, *, data: dict[str, Any] | None = None,
                          **values: Any) -> Message:
    """A system text in the conversation's language, added to the session; `data` reaches clients as the message's data."""
    message = Message(conversation_id=conversation.id, sender=Sender.system, language=conversation.language,
                      text=system_text(key, conversation.language, **values), payload={"custom": data} if data else None)
    session.add(message)
    return message


async def existing_conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    """The conversation as stored now (not a stale copy from this session's identity map), or 404."""
    conversation = await session.get(Conversation, conversation_id, populate_existing=True)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return conversation


async def take(session: AsyncSession, hub: Hub, conversation_id: str, agent: Agent) -> Conversation:
    """The agent takes a waiting conversation; 409 if someone else was quicker or it is not waiting."""
    agent_id, agent_name = agent.id, agent.name
    result = cast(CursorResult[Any], await session.execute(
        update(Conversation).where(Conversation.id == conversation_id, Conversation.state == ConversationState.waiting)
        .values(state=ConversationState.agent, updated_at=datetime.now(UTC))))
    if result.rowcount != 1:  # nothing changed; the session's end rolls the empty transaction back
        conversation = await existing_conversation(session, conversation_id)
        raise Conflict(f"this conversation is {conversation.state.value}, not waiting: another agent may have taken it")
    conversation = await existing_conversation(session, conversation_id)
    handoff = await open_handoff(session, conversation_id)
    if handoff is not None:
        handoff.taken_at, handoff.agent_id = datetime.now(UTC), agent_id
    joined = await _system_message(session, conversation, "agent_joined", agent=agent_name)
    await session.commit()
    await publish_messages(session, hub, conversation, [joined])
    hub.publish(conversation_channel(conversation.id), {"type": "state", "state": conversation.state.value, "agent": agent_name})
    await announce_queue(session, hub)
    return conversation


async def held_by(session: AsyncSession, conversation_id: str, agent: Agent) -> tuple[Conversation, Handoff]:
    """The conversation if this agent holds it; 409 if nobody does, 403 if another agent does."""
    conversation = await existing_conversation(session, conversation_id)
    handoff = await open_handoff(session, conversation_id)
    if conversation.state is not ConversationState.agent or handoff is None:
        raise Conflict(f"this conversation is {conversation.state.value}: take it first")
    if handoff.agent_id != agent.id:
        raise Forbidden("another agent holds this conversation")
    return conversation, handoff


async def agent_reply(session: AsyncSession, hub: Hub, conversation_id: str, agent: Agent, text: str) -> Message:
    conversation, _ = await held_by(session, conversation_id, agent)
    message = Message(conversation_id=conversation.id, sender=Sender.agent, text=text, language=conversation.language, agent_id=agent.id)
    session.add(message)
    await session.commit()
    await publish_messages(session, hub, conversation, [message], agent_name=agent.name)
    return message


async def finish(session: AsyncSession, hub: Hub, conversation_id: str, agent: Agent, *, to: ConversationState) -> tuple[Conversation, Message]:
    """Hand the conversation back to the bot or close it; the customer is told in their language."""
    conversation, handoff = await held_by(session, conversation_id, agent)
    conversation.state = to
    handoff.ended_at = datetime.now(UTC)
    notice = await _system_message(session, conversation, "agent_left" if to is ConversationState.bot else "conversation_closed", agent=agent.name)
    await session.commit()
    await publish_messages(session, hub, conversation, [notice])
    hub.publish(conversation_channel(conversation.id), {"type": "state", "state": conversation.state.value})
    hub.publish(AGENTS, {"type": "queue_changed"})
    return conversation, notice


async def requeue(session: AsyncSession, hub: Hub, agent_id: int) -> list[str]:
    """Put the agent's chats back in the queue (their console went away); returns the conversation ids."""
    handoffs = (await session.scalars(select(Handoff).join(Conversation, Conversation.id == Handoff.conversation_id).where(
        Handoff.agent_id == agent_id, Handoff.ended_at.is_(None), Conversation.state == ConversationState.agent))).all()
    moved = []
    for handoff in handoffs:
        conversation = await existing_conversation(session, handoff.conversation_id)
        conversation.state = ConversationState.waiting
        handoff.taken_at, handoff.agent_id = None, None
        moved.append(conversation.id)
    await session.commit()
    for conversation_id in moved:
        hub.publish(conversation_channel(conversation_id), {"type": "state", "state": ConversationState.waiting.value})
    if moved:
        await announce_queue(session, hub)
    return moved


async def queued_notice(session: AsyncSession, conversation: Conversation) -> Message:
    """The customer's place in the queue, said right after the bot handed them over (someone is online: `desk.request_handoff`)."""
    position = await queue_position(session, conversation.id)
    return Message(conversation_id=conversation.id, sender=Sender.system, language=conversation.language,
                   text=system_text("queued", conversation.language, position=position or 1))


async def waiting_notice(session: AsyncSession, services: Services, conversation: Conversation) -> Message:
    """What a waiting customer hears when the FAQ has no answer: the message reached the queue, and where they stand;
    once we asked for an e-mail address (a long wait, or nobody online any more), also that an address would do.
    Stored and published."""
    handoff = await open_handoff(session, conversation.id)
    position = await queue_position(session, conversation.id) or 1
    asked = handoff is not None and handoff.email_requested_at is not None
    notice = await _system_message(session, conversation, "waiting_ack_email" if asked else "waiting_ack", position=position,
                                   hours=services.settings.offline_reply_hours)
    await session.commit()
    await publish_messages(session, services.hub, conversation, [notice])
    return notice


def _not_waiting(conversation: Conversation) -> Conflict:
    """Why a chat cannot leave the queue: an agent has it, or it is not in the queue at all."""
    if conversation.state is ConversationState.agent:
        return Conflict("a colleague has already taken this chat")
    return Conflict(f"this chat is {conversation.state.value}, not waiting for a person")


async def _leave_queue(session: AsyncSession, conversation_id: str, to: ConversationState) -> None:
    """One conditional UPDATE out of `waiting`, so that an agent taking the chat at the same moment wins cleanly (409)."""
    result = cast(CursorResult[Any], await session.execute(
        update(Conversation).where(Conversation.id == conversation_id, Conversation.state == ConversationState.waiting)
        .values(state=to, updated_at=datetime.now(UTC))))
    if result.rowcount != 1:
        raise _not_waiting(await existing_conversation(session, conversation_id))


async def _announce_left_queue(session: AsyncSession, hub: Hub, conversation: Conversation, notice: Message) -> None:
    """The customer's tabs hear the notice and the new state, consoles that the queue changed, the others their new places."""
    await publish_messages(session, hub, conversation, [notice])
    hub.publish(conversation_channel(conversation.id), {"type": "state", "state": conversation.state.value})
    await announce_queue(session, hub)


async def back_to_bot(session: AsyncSession, services: Services, conversation_id: str) -> tuple[Conversation, Message]:
    """The customer stops waiting for a person (the widget's button, or saying so): the chat leaves the queue and the
    bot answers again. Rasa is resumed first (it paused at the handoff): if it cannot be, the customer keeps their place
    (RasaUnavailable). Conflict when the chat is not waiting, e.g. an agent has just taken it."""
    conversation = await existing_conversation(session, conversation_id)
    if conversation.state is not ConversationState.waiting:
        raise _not_waiting(conversation)
    await services.rasa.resume(conversation_id)
    await _leave_queue(session, conversation_id, ConversationState.bot)
    handoff = await open_handoff(session, conversation_id)
    if handoff is not None:
        handoff.ended_at = datetime.now(UTC)
    conversation = await existing_conversation(session, conversation_id)
    notice = await _system_message(session, conversation, "back_to_bot")
    await session.commit()
    await _announce_left_queue(session, services.hub, conversation, notice)
    return conversation, notice


async def leave_contact(session: AsyncSession, services: Services, conversation: Conversation, message: Message) -> list[Message] | None:
    """After we asked for an e-mail address (nobody online, or nobody came in time), an address in the message files an
    e-mail ticket; a text that looks like a mistyped address is answered so. None when the message is not an answer to
    such a request: the bot or the queue takes it as usual."""
    handoff = await open_handoff(session, conversation.id)
    if handoff is None or handoff.email_requested_at is None:
        return None
    email = find_email(message.text)
    if email is not None:
        return await _file_contact(session, services, conversation, handoff, email)
    if not LOOKS_LIKE_EMAIL.search(message.text):
        return None
    notice = await _system_message(session, conversation, "email_invalid")
    await session.commit()
    await publish_messages(session, services.hub, conversation, [notice])
    return [notice]


async def _file_contact(session: AsyncSession, services: Services, conversation: Conversation, handoff: Handoff, email: str) -> list[Message] | None:
    """The chat becomes an e-mail ticket and goes (back) to the bot: nothing is left for an agent to take, and the bot
    answers the customer's next question. A waiting chat resumes Rasa first; were Rasa down, the chat is closed
    instead, and the customer's next message reopens it for the bot. None if an agent took the chat meanwhile."""
    was_waiting = conversation.state is ConversationState.waiting
    if was_waiting:
        try:
            await services.rasa.resume(conversation.id)
            to = ConversationState.bot
        except RasaUnavailable as exc:
            log.warning("conversation %s: %s; closed, so that its next message resumes the bot", conversation.id, exc.reason)
            to = ConversationState.closed
        try:
            await _leave_queue(session, conversation.id, to)
        except Conflict:
            return None  # the agent reads the address in the transcript
    hours = services.settings.offline_reply_hours
    ticket = Ticket(conversation_id=conversation.id, kind=TicketKind.contact, language=conversation.language, email=email,
                    problem=(handoff.summary or {}).get("last_question"))
    number = await add_numbered(session, ticket, services.settings.contact_number_prefix)
    handoff.ended_at = datetime.now(UTC)
    conversation = await existing_conversation(session, conversation.id)
    notice = await _system_message(session, conversation, "ticket_filed", number=number, email=email, hours=hours,
                                   data={"ticket": {"number": number, "email": email, "reply_hours": hours}})
    await session.commit()
    if was_waiting:
        await _announce_left_queue(session, services.hub, conversation, notice)
    else:
        await publish_messages(session, services.hub, conversation, [notice])
    services.hub.publish(AGENTS, {"type": "tickets_changed"})
    return [notice]


async def offer_contact_after_wait(session: AsyncSession, hub: Hub, *, wait_seconds: float, reply_hours: int,
                                   anyone_online: bool = True) -> int:
    """Customers queued longer than `wait_seconds` are told so and asked for an e-mail address (once); they keep their
    place. When every agent has gone (`anyone_online` false) all waiting customers are told that at once instead."""
    cutoff = datetime.now(UTC) - timedelta(seconds=wait_seconds if anyone_online else 0)
    rows = (await session.execute(
        select(Conversation, Handoff).join(Handoff, Handoff.conversation_id == Conversation.id)
        .where(Conversation.state == ConversationState.waiting, Handoff.ended_at.is_(None), Handoff.taken_at.is_(None),
               Handoff.email_requested_at.is_(None), Handoff.requested_at < cutoff))).all()
    for conversation, handoff in rows:
        handoff.email_requested_at = datetime.now(UTC)
        notice = await _system_message(session, conversation, "nobody_took_it" if anyone_online else "everyone_left", hours=reply_hours)
        await session.commit()
        await publish_messages(session, hub, conversation, [notice])
    return len(rows)


async def offer_contact_when_nobody_comes(services: Services, stop: asyncio.Event, *, every_seconds: float = 2.0) -> None:
    """The api's background check of the queue's waiting times, and of whether anyone is left to serve it."""
    settings = services.settings
    while not stop.is_set():
        try:
            if await holds_duty(services.sessions, "queue-waits", services.instance, seconds=every_seconds * 5):
                async with services.sessions() as session:
                    online = await presence.anyone_online(session, check_seconds=settings.agent_session_check_seconds)
                    await offer_contact_after_wait(session, services.hub, wait_seconds=settings.handoff_wait_seconds,
                                                   reply_hours=settings.offline_reply_hours, anyone_online=online)
        except Exception:  # a locked database or similar must not end the loop
            log.exception("checking the queue's waiting times failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every_seconds)
