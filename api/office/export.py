"""Conversations and ratings as CSV, for the shop's own reports and archives."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.office.insights import Period
from api.storage.models import Agent, Conversation, Handoff, Message, Rating
from contracts.payloads import BotPayload
from knowledge.spreadsheets import spreadsheet_safe  # what customers wrote stays text in the admin's spreadsheet

MESSAGE_COLUMNS = ("conversation_id", "conversation_started", "conversation_language", "state", "message_id", "sent_at", "sender", "language",
                   "text", "source_entry", "bot_decision")
RATING_COLUMNS = ("conversation_id", "conversation_language", "rated_at", "score", "comment", "agent")  # agent: empty for the bot


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return out.getvalue()


async def messages_csv(session: AsyncSession, period: Period) -> str:
    """One row per message, oldest conversation first: the transcripts with the bot's sources and decisions."""
    rows = await session.execute(select(Conversation, Message).join(Message, Message.conversation_id == Conversation.id)
                                 .where(*period.conversations()).order_by(Conversation.created_at, Message.id))
    return _csv(MESSAGE_COLUMNS, (
        (c.id, c.created_at.isoformat(), c.language, c.state.value, m.id, m.created_at.isoformat(), m.sender.value, m.language, m.text,
         *_bot_columns(BotPayload.from_json(m.payload)))
        for c, m in rows))


def _bot_columns(payload: BotPayload) -> tuple[str | None, str | None]:
    """source_entry and bot_decision: empty for the customer's, agents' and system messages."""
    return payload.source.id if payload.source else None, payload.knowledge.decision if payload.knowledge else None


async def ratings_csv(session: AsyncSession, period: Period) -> str:
    """One row per rating, of the bot's help or of the agent who ended a handoff (named)."""
    rows = await session.execute(select(Conversation, Rating, Agent.name).join(Rating, Rating.conversation_id == Conversation.id)
                                 .outerjoin(Handoff, Handoff.id == Rating.handoff_id).outerjoin(Agent, Agent.id == Handoff.agent_id)
                                 .where(*period.conversations()).order_by(Rating.created_at, Rating.id))
    return _csv(RATING_COLUMNS, ((c.id, c.language, r.created_at.isoformat(), r.score, r.comment, agent) for c, r, agent in rows))
