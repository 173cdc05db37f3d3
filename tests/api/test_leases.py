"""Leases on SQLite and PostgreSQL: one holder at a time, renewals, and a takeover once a holder goes quiet."""
from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.storage.leases import hold


async def test_one_replica_holds_a_duty_until_its_lease_runs_out(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as first, sessions() as second:
        assert await hold(first, "pending-answers", "replica-a", seconds=1.0)
        assert not await hold(second, "pending-answers", "replica-b", seconds=1.0)
        assert await hold(second, "queue-waits", "replica-b", seconds=1.0)  # another duty is free
        assert await hold(first, "pending-answers", "replica-a", seconds=1.0)  # renewed by its holder
        await asyncio.sleep(1.2)  # replica-a stops renewing (crashed)
        assert await hold(second, "pending-answers", "replica-b", seconds=1.0)
        assert not await hold(first, "pending-answers", "replica-a", seconds=1.0)
