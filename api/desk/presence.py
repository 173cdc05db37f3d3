"""Which agents are really there: status Available and a console open now, on whichever api replica holds it.

Each console marks its agent seen when it connects and at every session check (`agent_session_check_seconds`); a
console gone past the reconnect grace clears the mark, and a crashed replica's marks go stale. So every replica,
and the widget before a customer asks, gets the same answer from the database.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Exists, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.storage.models import Agent, Presence

MISSED_CHECKS = 3  # a console whose mark is older than this many session checks is taken for gone
MIN_FRESH_SECONDS = 10.0  # a short check interval (the tests' 1 s) must not make a busy moment look like nobody


class Consoles:
    """Open console connections per agent in this api process (an agent may have several tabs)."""

    def __init__(self) -> None:
        self._open: Counter[int] = Counter()

    def connected(self, agent_id: int) -> None:
        self._open[agent_id] += 1

    def disconnected(self, agent_id: int) -> bool:
        """True when that was the agent's last console."""
        self._open[agent_id] -= 1
        if self._open[agent_id] <= 0:
            del self._open[agent_id]
            return True
        return False

    def is_connected(self, agent_id: int) -> bool:
        return self._open[agent_id] > 0


async def console_seen(session: AsyncSession, agent_id: int, *, gone: bool = False) -> None:
    """Mark the agent's console as open now, or (`gone`) as closed for good; committed at once."""
    await session.execute(update(Agent).where(Agent.id == agent_id).values(console_seen_at=None if gone else datetime.now(UTC)))
    await session.commit()


def someone_online(*, check_seconds: float) -> Exists:
    """An active agent is Available with a console seen within the last few session checks: a condition, so that a
    customer message's other facts are read in the same statement (api/chat/conversations.py)."""
    fresh = datetime.now(UTC) - timedelta(seconds=max(MISSED_CHECKS * check_seconds, MIN_FRESH_SECONDS))
    return exists().where(Agent.presence == Presence.online, Agent.active.is_(True), Agent.console_seen_at >= fresh)


async def anyone_online(session: AsyncSession, *, check_seconds: float) -> bool:
    """Whether an active agent is Available with a console seen within the last few session checks."""
    return bool(await session.scalar(select(someone_online(check_seconds=check_seconds))))
