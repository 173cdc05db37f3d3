"""What customers and consoles hear live about a conversation (its messages, its state, the queue, the customer's rating
of an agent), and who hears it.

Events go through the `Hub` after the change is committed: a missed one is caught up over REST, never lost.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.transcripts import message_out, rating_out
from api.desk.queue import queue_position
from api.infra.realtime import AGENTS, Hub, agent_channel, conversation_channel
from api.storage.models import Conversation, ConversationState, Handoff, Message, Rating


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
                           agent_name: str | None = None, state: ConversationState | None = None) -> None:
    """Customers see their conversation; consoles see it only while it waits or, its holder's, while an agent has it.

    `state`: the conversation's state as the caller has just read it with its row. The bot's chats, nearly every message,
    go to no console, so their publishing costs no query; with any other state (or none) the database says who hears it.
    """
    consoles = None if state is ConversationState.bot else await consoles_of(session, conversation.id)
    for message in messages:
        event = message_event(message, agent_name=agent_name)
        hub.publish(conversation_channel(conversation.id), event)
        if consoles is not None:
            hub.publish(consoles, event)


def publish_state(hub: Hub, conversation_id: str, state: ConversationState, *, agent_name: str | None = None) -> None:
    """The customer's tabs learn who is in charge now (and the agent's name when one joined)."""
    event: dict[str, Any] = {"type": "state", "state": state.value}
    if agent_name is not None:
        event["agent"] = agent_name
    hub.publish(conversation_channel(conversation_id), event)


def publish_rating(hub: Hub, rating: Rating, agent_id: int) -> None:
    """The agent who was rated sees the score and the comment in that chat's transcript at once: they let go of the
    chat, so its messages no longer reach their console."""
    hub.publish(agent_channel(agent_id), {"type": "rating", **rating_out(rating).model_dump(mode="json")})


def publish_queue_changed(hub: Hub) -> None:
    """Consoles reload the queue."""
    hub.publish(AGENTS, {"type": "queue_changed"})


async def announce_queue(session: AsyncSession, hub: Hub) -> None:
    """Tell each waiting customer their place, and every console that the queue changed."""
    waiting = await session.scalars(select(Conversation.id).where(Conversation.state == ConversationState.waiting))
    for conversation_id in waiting:
        position = await queue_position(session, conversation_id)
        hub.publish(conversation_channel(conversation_id), {"type": "queue", "position": position})
    publish_queue_changed(hub)
