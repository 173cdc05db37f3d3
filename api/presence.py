"""Which agents are really there: presence set to online and a console connected right now."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Agent, Presence


class Consoles:
    """Open console connections per agent (an agent may have several tabs)."""

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

    async def anyone_online(self, session: AsyncSession) -> bool:
        if not self._open:
            return False
        online = await session.scalars(select(Agent.id).where(Agent.id.in_(list(self._open)), Agent.presence == Presence.online, Agent.active.is_(True)))
        return online.first() is not None
