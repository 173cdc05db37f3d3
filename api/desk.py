"""The service desk the actions talk to: complaint tickets, handoffs and ratings, stored in the api's database.

The actions run inside the api process (through the action webhook), so they get this object directly.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actions.desk import Claim, ClaimReceipt
from api.errors import NotFound
from api.models import Conversation, ConversationState, Handoff, Rating, Ticket, TicketKind
from api.settings import Settings


class DatabaseDesk:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings

    async def file_claim(self, conversation_id: str, claim: Claim) -> ClaimReceipt:
        resolve_by = date.today() + timedelta(days=self._settings.complaint_resolution_days)
        async with self._sessions() as session:
            ticket = Ticket(conversation_id=conversation_id, kind=TicketKind.complaint, language=claim.language,
                            order_number=claim.order_number, problem=claim.problem, resolution=claim.resolution, due_on=resolve_by)
            session.add(ticket)
            await session.flush()  # the row id gives the number; numbers never repeat
            ticket.number = f"{self._settings.claim_number_prefix}{10000 + ticket.id}"
            await session.commit()
            return ClaimReceipt(number=ticket.number, first_reply_days=self._settings.complaint_first_reply_days, resolve_by=resolve_by)

    async def request_handoff(self, conversation_id: str, reason: str, summary: dict[str, Any]) -> None:
        """Queue the conversation for a person; from now on the api does not ask the bot."""
        async with self._sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            if conversation.state is ConversationState.bot:
                conversation.state = ConversationState.waiting
                session.add(Handoff(conversation_id=conversation_id, reason=reason, summary=summary))
            await session.commit()

    async def rate(self, conversation_id: str, score: int) -> None:
        async with self._sessions() as session:
            session.add(Rating(conversation_id=conversation_id, score=score))
            await session.commit()

    async def comment_rating(self, conversation_id: str, comment: str) -> None:
        async with self._sessions() as session:
            rating = await session.scalar(select(Rating).where(Rating.conversation_id == conversation_id).order_by(Rating.id.desc()).limit(1))
            if rating is not None:
                rating.comment = comment
                await session.commit()
