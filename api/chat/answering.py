"""Which api process asks the bot about a customer's message: exactly one at a time, and another one if it dies.

A message for the bot is stored with its handler (the api process that asks Rasa about it) and is marked answered,
together with the bot's replies, only by that handler. Every api process holds a lease named after itself while
it lives (`stay_alive`); a message whose handler's lease ran out (the process was killed, crashed or hung) goes back
to pending and the pending duty (api/chat/pending.py) answers it, after the conversation's earlier ones. Should the first
handler only have been slow, its late answer is dropped: the message is answered once. Rasa itself handles a
message id once and repeats its answer when asked again (bot/channel.py), so asking twice never moves a
conversation on twice.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.storage.leases import holds_duty
from api.storage.models import Lease, Message, MessageStatus, Sender, utcnow

log = logging.getLogger(__name__)
PROCESS_LEASE_SECONDS = 10.0  # an api process silent this long is taken for gone; it renews every LIFE_SIGN_SECONDS
LIFE_SIGN_SECONDS = 2.0


def process_lease(instance: str) -> str:
    """The lease an api process holds while it lives (Lease.name is 64 characters; an instance is 32)."""
    return f"process:{instance}"


async def sign_of_life(sessions: async_sessionmaker[AsyncSession], instance: str) -> None:
    """Renew this process's lease: its messages stay its own for PROCESS_LEASE_SECONDS more."""
    await holds_duty(sessions, process_lease(instance), instance, seconds=PROCESS_LEASE_SECONDS)


async def stay_alive(sessions: async_sessionmaker[AsyncSession], instance: str, stop: asyncio.Event) -> None:
    """Renew the process lease until shutdown (which releases it: api/leases.release_all)."""
    while not stop.is_set():
        try:
            await sign_of_life(sessions, instance)
        except Exception:  # the database is busy or down: try again; at worst another process answers our messages once
            log.exception("could not renew this api process's lease")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), LIFE_SIGN_SECONDS)


def _orphaned() -> ColumnElement[bool]:
    """A customer message some api process was asking the bot about, when that process no longer renews its lease."""
    handler_alive = exists().where(Lease.holder == Message.handler, Lease.expires_at >= utcnow())
    return and_(Message.sender == Sender.customer, Message.status == MessageStatus.received, Message.handler.is_not(None),
                ~handler_alive)


async def release_orphans(session: AsyncSession, *, conversation_id: str | None = None) -> int:
    """Messages whose api process died while asking the bot: pending again, to be answered in order (committed).

    Read first and written only when there is something to do: on SQLite an UPDATE takes the write lock even if it
    matches no row, and this runs for every customer message.
    """
    query = select(Message.id).where(_orphaned())
    if conversation_id is not None:
        query = query.where(Message.conversation_id == conversation_id)
    orphans = list(await session.scalars(query))
    if not orphans:
        return 0
    released = cast(CursorResult[Any], await session.execute(
        update(Message).where(Message.id.in_(orphans), _orphaned()).values(status=MessageStatus.pending, handler=None)
        .execution_options(synchronize_session="fetch")))
    await session.commit()
    log.warning("messages %s: the api process asking the bot about them is gone; they are answered again, in order", orphans)
    return released.rowcount or 0


async def take_pending(session: AsyncSession, message: Message, instance: str) -> bool:
    """Become the message's handler if it is still pending (committed): of two processes trying, one wins."""
    taken = cast(CursorResult[Any], await session.execute(
        update(Message).where(Message.id == message.id, Message.status == MessageStatus.pending)
        .values(status=MessageStatus.received, handler=instance)))
    await session.commit()
    return bool(taken.rowcount)


async def mark_answered(session: AsyncSession, message: Message, instance: str) -> bool:
    """Answered, if `instance` still handles it; the caller commits it together with the replies."""
    done = cast(CursorResult[Any], await session.execute(
        update(Message).where(Message.id == message.id, Message.handler == instance)
        .values(status=MessageStatus.answered, handler=None)))
    return bool(done.rowcount)


async def put_back(session: AsyncSession, message: Message, instance: str) -> None:
    """Pending again (the bot cannot be asked now), if `instance` still handles it; the caller commits."""
    await session.execute(update(Message).where(Message.id == message.id, Message.handler == instance)
                          .values(status=MessageStatus.pending, handler=None))
