"""Live events for customers and agents: an in-process publish/subscribe hub behind the WebSockets.

One api process holds all subscribers; a scale-out deployment would put Redis pub/sub behind the same
two methods. Events are small JSON dicts with a `type`; what matters is stored in the database first,
so a missed event is never a lost message (clients catch up over the REST endpoints).
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

AGENTS = "agents"  # every signed-in console listens here: queue changes, new messages in their chats


def conversation_channel(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


class Hub:
    def __init__(self, *, queue_size: int = 256) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._queue_size = queue_size

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._queue_size)
        for channel in channels:
            self._subscribers[channel].add(queue)
        try:
            yield queue
        finally:
            for channel in channels:
                self._subscribers[channel].discard(queue)
                if not self._subscribers[channel]:
                    del self._subscribers[channel]

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Deliver to every subscriber now; a subscriber too slow to keep up loses events, not the server."""
        for queue in list(self._subscribers.get(channel, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                pass

    def listeners(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))
