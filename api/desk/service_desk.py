"""The service desk the actions talk to: complaint tickets, handoffs and ratings, stored in the api's database.

The actions run inside the api process (through the action webhook), so they get this object directly.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actions.desk import Claim, ClaimReceipt, HandoffReceipt
from api.chat.lifecycle import request_person
from api.desk.presence import anyone_online
from api.desk.tickets import add_numbered
from api.domain_errors import NotFound
from api.settings import Settings
from api.storage.models import Conversation, Rating, Ticket, TicketKind


class DatabaseDesk:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings

    async def file_claim(self, conversation_id: str, claim: Claim) -> ClaimReceipt:
        resolve_by = date.today() + timedelta(days=self._settings.complaint_resolution_days)
        async with self._sessions() as session:
            number = await add_numbered(session, Ticket(
                conversation_id=conversation_id, kind=TicketKind.complaint, language=claim.language, order_number=claim.order_number,
                problem=claim.problem, resolution=claim.resolution, due_on=resolve_by), self._settings.claim_number_prefix)
            await session.commit()
            return ClaimReceipt(number=number, first_reply_days=self._settings.complaint_first_reply_days, resolve_by=resolve_by)

    async def request_handoff(self, conversation_id: str, reason: str, summary: dict[str, Any]) -> HandoffReceipt:
        """A person for the customer: queued while someone is online, else an e-mail address is asked for
        (`lifecycle.request_person` says how)."""
        async with self._sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            online = await anyone_online(session, check_seconds=self._settings.agent_session_check_seconds)
            queued = await request_person(session, conversation, reason, summary, online=online)
            await session.commit()
            return HandoffReceipt(queued=queued, reply_hours=self._settings.offline_reply_hours)

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
