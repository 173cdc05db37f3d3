"""The live events' hub for several api replicas: Redis pub/sub, so that a customer connected to one replica and an agent
to another see each other live. Imported only when `SHOPBOT_REDIS_URL` is set: one api process does without the client."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from api.infra.realtime import Hub

log = logging.getLogger(__name__)


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
