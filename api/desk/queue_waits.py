"""The api's background watch over the queue: a customer nobody took in time, or left alone when every agent went,
is asked for an e-mail address (and keeps their place)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.live_events import publish_messages
from api.chat.system_messages import add_system_message
from api.desk import presence
from api.infra.realtime import Hub
from api.storage.leases import holds_duty
from api.storage.models import Conversation, ConversationState, Handoff

log = logging.getLogger(__name__)


async def offer_contact_after_wait(session: AsyncSession, hub: Hub, *, wait_seconds: float, reply_hours: int,
                                   anyone_online: bool = True) -> int:
    """Customers queued longer than `wait_seconds` are told so and asked for an e-mail address (once); they keep their
    place. When every agent has gone (`anyone_online` false) all waiting customers are told that at once instead."""
    cutoff = datetime.now(UTC) - timedelta(seconds=wait_seconds if anyone_online else 0)
    rows = (await session.execute(
        select(Conversation, Handoff).join(Handoff, Handoff.conversation_id == Conversation.id)
        .where(Conversation.state == ConversationState.waiting, Handoff.ended_at.is_(None), Handoff.taken_at.is_(None),
               Handoff.email_requested_at.is_(None), Handoff.requested_at < cutoff))).all()
    for conversation, handoff in rows:
        handoff.email_requested_at = datetime.now(UTC)
        notice = add_system_message(session, conversation, "nobody_took_it" if anyone_online else "everyone_left", hours=reply_hours)
        await session.commit()
        await publish_messages(session, hub, conversation, [notice])
    return len(rows)


async def offer_contact_when_nobody_comes(sessions: async_sessionmaker[AsyncSession], hub: Hub, instance: str, stop: asyncio.Event, *,
                                          wait_seconds: float, reply_hours: int, online_check_seconds: float,
                                          every_seconds: float = 2.0) -> None:
    """The api's background check of the queue's waiting times, and of whether anyone is left to serve it."""
    while not stop.is_set():
        try:
            if await holds_duty(sessions, "queue-waits", instance, seconds=every_seconds * 5):
                async with sessions() as session:
                    online = await presence.anyone_online(session, check_seconds=online_check_seconds)
                    await offer_contact_after_wait(session, hub, wait_seconds=wait_seconds, reply_hours=reply_hours, anyone_online=online)
        except Exception:  # a locked database or similar must not end the loop
            log.exception("checking the queue's waiting times failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every_seconds)
