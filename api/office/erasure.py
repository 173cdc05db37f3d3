"""Erasing one customer's data on request (GDPR art. 17), leaving the shop's aggregate figures intact.

The customer is identified by one of their conversations; every conversation of the same visitor (the
widget's token) goes. Messages are deleted in the api and in Rasa's tracker store; handoffs keep their
reason, timings and agent, ratings their score (an agent's rating its handoff), tickets their number and dates, so the
analytics still count them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.rasa_client import RasaClient
from api.domain_errors import NotFound
from api.storage.models import Attachment, Conversation, Handoff, Message, Rating, Ticket, Visitor


@dataclass(frozen=True)
class Erased:
    """The customer's conversations whose content went, and how many messages were deleted."""

    conversations: list[str]
    messages: int


async def _customers_conversations(session: AsyncSession, conversation_id: str) -> list[Conversation]:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    if conversation.visitor_id is None:
        return [conversation]
    return list(await session.scalars(select(Conversation).where(Conversation.visitor_id == conversation.visitor_id)))


async def erase_customer(session: AsyncSession, rasa: RasaClient, conversation_id: str) -> Erased:
    """Rasa first: if it cannot be reached nothing is erased here either, and the admin is told to retry."""
    conversations = await _customers_conversations(session, conversation_id)
    ids = [c.id for c in conversations]
    for conversation in conversations:
        await rasa.forget(conversation.id)
    await session.execute(delete(Attachment).where(Attachment.conversation_id.in_(ids)))
    deleted = cast(CursorResult[Any], await session.execute(delete(Message).where(Message.conversation_id.in_(ids))))
    await session.execute(update(Handoff).where(Handoff.conversation_id.in_(ids)).values(summary={"erased": True}))
    await session.execute(update(Rating).where(Rating.conversation_id.in_(ids)).values(comment=None))
    await session.execute(update(Ticket).where(Ticket.conversation_id.in_(ids))
                          .values(problem=None, order_number=None, email=None, answer=None))
    visitor_ids = {c.visitor_id for c in conversations if c.visitor_id}
    now = datetime.now(UTC)
    for conversation in conversations:
        conversation.erased_at, conversation.visitor_id = now, None
    if visitor_ids:
        await session.execute(delete(Visitor).where(Visitor.id.in_(visitor_ids)))
    await session.commit()
    return Erased(conversations=ids, messages=deleted.rowcount or 0)
