"""The service desk the actions talk to: complaint tickets, handoffs and ratings, stored in the api's database.

The actions run inside the api process (through the action webhook), so they get this object directly.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actions.desk import Claim, ClaimReceipt, HandoffReceipt
from api.errors import NotFound
from api.models import Conversation, ConversationState, Handoff, Rating, Ticket, TicketKind
from api.presence import anyone_online
from api.queue import open_handoff
from api.settings import Settings
from api.tickets import add_numbered


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
        """Queue the conversation for a person while someone is online (the api stops asking the bot); with nobody
        online keep it with the bot and note that the customer was asked for an e-mail address, so that the address in
        their next message becomes a ticket (`handoffs.leave_contact`). A second request reuses an earlier one nobody took."""
        async with self._sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            if conversation.state is ConversationState.bot:
                online = await anyone_online(session, check_seconds=self._settings.agent_session_check_seconds)
                handoff = await open_handoff(session, conversation_id)
                if handoff is None:
                    handoff = Handoff(conversation_id=conversation_id, reason=reason, summary=summary)
                    session.add(handoff)
                now = datetime.now(UTC)
                handoff.reason, handoff.summary, handoff.requested_at = reason, summary, now
                handoff.email_requested_at = None if online else now
                if online:
                    conversation.state = ConversationState.waiting
            await session.commit()
            return HandoffReceipt(queued=conversation.state is not ConversationState.bot, reply_hours=self._settings.offline_reply_hours)

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
