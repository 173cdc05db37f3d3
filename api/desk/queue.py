"""The queue of conversations waiting for a person, oldest request first."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.storage.models import Conversation, ConversationState, Handoff


async def open_handoff(session: AsyncSession, conversation_id: str) -> Handoff | None:
    """The conversation's latest handoff that no agent has finished yet."""
    return await session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.ended_at.is_(None)).order_by(Handoff.id.desc()).limit(1))


async def queue_position(session: AsyncSession, conversation_id: str) -> int | None:
    """1 for the longest-waiting conversation; None when this one is not waiting."""
    mine = await open_handoff(session, conversation_id)
    if mine is None:
        return None
    ahead = await session.scalar(
        select(func.count()).select_from(Handoff).join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(Conversation.state == ConversationState.waiting, Handoff.ended_at.is_(None), Handoff.taken_at.is_(None),
               Handoff.id < mine.id))
    return int(ahead or 0) + 1
