"""Live events for customers and agents: a publish/subscribe hub behind the WebSockets.

`Hub` serves one api process. `RedisHub` (`api.infra.redis_hub`) lets several api replicas share events through Redis pub/sub:
a customer connected to one replica and an agent to another see each other live. Events are small JSON
dicts with a `type`; what matters is stored in the database first, so a missed event (Redis down for a
moment) is never a lost message: clients catch up over the REST endpoints.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

AGENTS = "agents"  # every signed-in console listens here: queue changes, messages of waiting conversations
SESSION_CHECK = "session_check"  # to an agent's channel: their consoles check their session now (never sent on)


def conversation_channel(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def agent_channel(agent_id: int) -> str:
    """One agent's consoles: messages and typing in the chats they hold, and session checks."""
    return f"agent:{agent_id}"


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
        self._deliver(channel, event)

    def _deliver(self, channel: str, event: dict[str, Any]) -> None:
        """To every subscriber in this process now; a subscriber too slow to keep up loses events, not the server."""
        for queue in list(self._subscribers.get(channel, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                pass

    async def start(self) -> None:
        """Nothing to connect for one process."""

    async def close(self) -> None:
        """Nothing to disconnect for one process."""


def make_hub(redis_url: str | None) -> Hub:
    """In-process for one api, Redis when replicas must share events (the Redis client is imported only then)."""
    if not redis_url:
        return Hub()
    from api.infra.redis_hub import RedisHub

    return RedisHub(redis_url)
