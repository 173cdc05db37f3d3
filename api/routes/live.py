"""WebSockets: live messages, typing and queue places for customers; the live queue for agents' consoles.

Both sides authenticate with their first message, `{"type": "auth", "token": "..."}`, so that no token
ends up in a URL or an access log. Everything sent here is also stored or recomputable: a client that
reconnects catches up over REST (`GET /api/conversations/{id}/messages?after=`, `GET /api/agent/queue`).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from api import handoffs
from api.agents import agent_for_token
from api.conversations import authorized_conversation
from api.deps import Services
from api.errors import ApiError
from api.models import ConversationState
from api.queue import queue_position
from api.realtime import AGENTS, conversation_channel

log = logging.getLogger(__name__)
router = APIRouter()
AUTH_TIMEOUT_SECONDS = 10
UNAUTHORIZED = 4401
SERVICE_RESTART = 1012  # what uvicorn closes sockets with when the server shuts down


async def _token(websocket: WebSocket) -> str | None:
    try:
        first = await asyncio.wait_for(websocket.receive_json(), AUTH_TIMEOUT_SECONDS)
    except (TimeoutError, ValueError, WebSocketDisconnect):
        return None
    return first.get("token") if isinstance(first, dict) and first.get("type") == "auth" else None


async def _pump(websocket: WebSocket, queue: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        await websocket.send_json(await queue.get())


async def _serve(websocket: WebSocket, queue: asyncio.Queue[dict[str, Any]],
                 on_event: Callable[[dict[str, Any]], Awaitable[None]]) -> int | None:
    """Forward hub events out and client events in until either side stops; the close code, if any."""
    pump = asyncio.create_task(_pump(websocket, queue))
    try:
        while True:
            event = await websocket.receive_json()
            if isinstance(event, dict):
                await on_event(event)
    except WebSocketDisconnect as exc:
        return exc.code
    except (ValueError, RuntimeError):
        return None
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


@router.websocket("/api/conversations/{conversation_id}/ws")
async def customer_socket(websocket: WebSocket, conversation_id: str) -> None:
    services: Services = websocket.app.state.services
    await websocket.accept()
    token = await _token(websocket)
    async with services.sessions() as session:
        try:
            conversation = await authorized_conversation(session, conversation_id, token or "")
        except ApiError as exc:
            await websocket.close(code=UNAUTHORIZED, reason=exc.reason[:120])
            return
        position = await queue_position(session, conversation_id) if conversation.state is ConversationState.waiting else None
        ready = {"type": "ready", "state": conversation.state.value, "queue_position": position}

    async def on_event(event: dict[str, Any]) -> None:
        if event.get("type") == "typing":  # shown in the agent's console, cleared there after a few seconds
            services.hub.publish(AGENTS, {"type": "typing", "conversation_id": conversation_id, "sender": "customer",
                                          "active": bool(event.get("active"))})

    async with services.hub.subscribe(conversation_channel(conversation_id)) as queue:
        await websocket.send_json(ready)
        await _serve(websocket, queue, on_event)


@router.websocket("/api/agent/ws")
async def agent_socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    await websocket.accept()
    token = await _token(websocket)
    async with services.sessions() as session:
        try:
            agent = await agent_for_token(session, token or "")
        except ApiError as exc:
            await websocket.close(code=UNAUTHORIZED, reason=exc.reason[:120])
            return
    agent_id, agent_name = agent.id, agent.name

    async def on_event(event: dict[str, Any]) -> None:
        conversation_id = event.get("conversation_id")
        if event.get("type") == "typing" and isinstance(conversation_id, str):
            services.hub.publish(conversation_channel(conversation_id), {"type": "typing", "sender": "agent", "agent": agent_name,
                                                                         "active": bool(event.get("active"))})

    services.consoles.connected(agent_id)
    closed_with: int | None = None
    try:
        async with services.hub.subscribe(AGENTS) as queue:
            await websocket.send_json({"type": "ready", "agent": agent_name})
            closed_with = await _serve(websocket, queue, on_event)
    finally:
        # A restart of the api closes every console (1012): that is not an agent leaving their chats.
        if services.consoles.disconnected(agent_id) and closed_with != SERVICE_RESTART and not services.stopping:
            services.spawn(_release_when_gone(services, agent_id))
        if websocket.application_state is not WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await websocket.close()


async def _release_when_gone(services: Services, agent_id: int) -> None:
    """A console that does not come back within the grace period gives its chats back to the queue."""
    await asyncio.sleep(services.settings.agent_reconnect_grace_seconds)
    if services.consoles.is_connected(agent_id) or services.stopping:
        return
    async with services.sessions() as session:
        moved = await handoffs.requeue(session, services.hub, agent_id)
    if moved:
        log.info("agent %s disconnected; %d conversation(s) back in the queue", agent_id, len(moved))
