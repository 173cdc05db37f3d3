"""Tickets' public numbers: what customers quote (a claim's R-10042, an e-mail ticket's T-10043)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.storage.models import Ticket

FIRST_NUMBER = 10000


async def add_numbered(session: AsyncSession, ticket: Ticket, prefix: str) -> str:
    """Add the ticket and give it its number, the prefix and the row id, so numbers never repeat; not committed yet."""
    session.add(ticket)
    await session.flush()
    ticket.number = f"{prefix}{FIRST_NUMBER + ticket.id}"
    return ticket.number
