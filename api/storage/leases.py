"""Leases in the database: with several api replicas, one runs each background duty at a time."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.storage.models import Lease, utcnow


async def hold(session: AsyncSession, name: str, holder: str, *, seconds: float) -> bool:
    """Take `name` if it is free or expired, renew it if it is ours; False while another holder's lease runs."""
    now = utcnow()
    expires = now + timedelta(seconds=seconds)
    taken = await session.execute(update(Lease).where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
                                  .values(holder=holder, expires_at=expires))
    if taken.rowcount:  # type: ignore[attr-defined]
        await session.commit()
        return True
    session.add(Lease(name=name, holder=holder, expires_at=expires))
    try:
        await session.commit()
        return True
    except IntegrityError:  # the row exists and another holder's lease runs
        await session.rollback()
        return False


async def holds_duty(sessions: async_sessionmaker[AsyncSession], name: str, holder: str, *, seconds: float) -> bool:
    """`hold` in a session of its own, for the background loops."""
    async with sessions() as session:
        return await hold(session, name, holder, seconds=seconds)


async def release_all(sessions: async_sessionmaker[AsyncSession], holder: str) -> None:
    """At shutdown: hand this process's duties over at once instead of when their leases run out."""
    async with sessions() as session:
        await session.execute(delete(Lease).where(Lease.holder == holder))
        await session.commit()
