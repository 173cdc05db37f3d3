"""Live events for customers and agents: a publish/subscribe hub behind the WebSockets.

`Hub` serves one api process. `RedisHub` lets several api replicas share events through Redis pub/sub:
a customer connected to one replica and an agent to another see each other live. Events are small JSON
dicts with a `type`; what matters is stored in the database first, so a missed event (Redis down for a
moment) is never a lost message: clients catch up over the REST endpoints.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

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


class RedisHub(Hub):
    """Publishes through Redis, in order, and delivers what any replica published to this process's subscribers."""

    def __init__(self, url: str, *, prefix: str = "shopbot:", queue_size: int = 256, retry_seconds: float = 1.0) -> None:
        super().__init__(queue_size=queue_size)
        self._redis = redis.from_url(url)
        self._prefix = prefix
        self._retry_seconds = retry_seconds
        self._outbox: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._outbox.put_nowait((channel, event))  # one writer task keeps the order events were published in

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._write()), asyncio.create_task(self._listen())]
        await asyncio.wait_for(self._listening.wait(), 10)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._redis.aclose()

    async def _write(self) -> None:
        while True:
            channel, event = await self._outbox.get()
            while True:
                try:
                    await self._redis.publish(self._prefix + channel, json.dumps(event))
                    break
                except RedisError as exc:
                    log.warning("Redis publish failed (%s); retrying in %s s", exc, self._retry_seconds)
                    await asyncio.sleep(self._retry_seconds)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(self._prefix + "*")
                    self._listening.set()
                    async for message in pubsub.listen():
                        if message["type"] == "pmessage":
                            self._deliver(message["channel"].decode()[len(self._prefix):], json.loads(message["data"]))
            except RedisError as exc:
                log.warning("Redis subscription lost (%s); reconnecting in %s s", exc, self._retry_seconds)
                await asyncio.sleep(self._retry_seconds)


def make_hub(redis_url: str | None) -> Hub:
    """In-process for one api, Redis when replicas must share events."""
    return RedisHub(redis_url) if redis_url else Hub()
