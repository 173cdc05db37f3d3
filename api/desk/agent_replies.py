"""What an agent writes into the chat they hold: stored, then heard live by the customer and the agent's consoles."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.lifecycle import held_by
from api.chat.live_events import publish_messages
from api.infra.realtime import Hub
from api.storage.models import Agent, Message, Sender


async def agent_reply(session: AsyncSession, hub: Hub, conversation_id: str, agent: Agent, text: str) -> Message:
    """Only the holder writes (Conflict if nobody holds the chat, Forbidden if another agent does)."""
    conversation, _ = await held_by(session, conversation_id, agent)
    message = Message(conversation_id=conversation.id, sender=Sender.agent, text=text, language=conversation.language, agent_id=agent.id)
    session.add(message)
    await session.commit()
    await publish_messages(session, hub, conversation, [message], agent_name=agent.name)
    return message
