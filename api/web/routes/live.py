"""WebSockets: live messages, typing and queue places for customers; the live queue for agents' consoles.

Both sides authenticate with their first message, `{"type": "auth", "token": "..."}`, so that no token
ends up in a URL or an access log. Everything sent here is also stored or recomputable: a client that
reconnects catches up over REST (`GET /api/conversations/{id}/messages?after=`, `GET /api/agent/queue`).

A console hears the queue and the chats its agent holds (`live_events.consoles_of`), and closes with 4401 as
soon as its session ends (sign-out, disabled account: told through the hub, so on every replica) or is
found expired on the timer. The bounds on sockets, frames and typing are in `api/web/sockets.py`.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocketState

from api.chat import lifecycle
from api.chat.conversations import authorized_conversation
from api.chat.live_events import consoles_of
from api.desk.agents import agent_for_token
from api.desk.presence import console_seen
from api.desk.queue import queue_position
from api.domain_errors import DomainError
from api.infra.realtime import AGENTS, SESSION_CHECK, agent_channel, conversation_channel
from api.services import Services
from api.storage.models import ConversationState
from api.web.sockets import POLICY, UNAUTHORIZED, CloseSocket, TypingLimit, read_event

log = logging.getLogger(__name__)
router = APIRouter()
SERVICE_RESTART = 1012  # what uvicorn closes sockets with when the server shuts down


def _address(websocket: WebSocket) -> str:
    return websocket.client.host if websocket.client else "unknown"


async def _close(websocket: WebSocket, code: int = 1000, reason: str = "") -> None:
    if websocket.application_state is not WebSocketState.DISCONNECTED:
        with contextlib.suppress(Exception):  # the client may be gone already
            await websocket.close(code=code, reason=reason)


async def _token(websocket: WebSocket, services: Services) -> str:
    """The token of the first frame, which must come within `ws_auth_seconds`: a silent socket holds nothing for long."""
    settings = services.settings
    try:
        first = await asyncio.wait_for(read_event(websocket, settings.ws_max_message_bytes), settings.ws_auth_seconds)
    except TimeoutError:  # not 4401: the widget would forget its conversation, the console sign out
        raise CloseSocket(POLICY, f"authenticate within {settings.ws_auth_seconds:g} s") from None
    token = first.get("token")
    if first.get("type") != "auth" or not isinstance(token, str) or not token:
        raise CloseSocket(POLICY, 'the first frame must be {"type": "auth", "token": "..."}')
    return token


async def _first_to_end(*work: Coroutine[Any, Any, None]) -> None:
    """Run a socket's loops together; the first to end stops the others, and its exception (a close) propagates."""
    tasks = [asyncio.create_task(job) for job in work]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()


async def _forward(websocket: WebSocket, queue: asyncio.Queue[dict[str, Any]], on_control: Callable[[], None] = lambda: None) -> None:
    """Hub events out to the client; a session check is for this process, not the client."""
    while True:
        event = await queue.get()
        if event.get("type") == SESSION_CHECK:
            on_control()
        else:
            await websocket.send_json(event)


async def _receive(websocket: WebSocket, services: Services, on_event: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    while True:
        await on_event(await read_event(websocket, services.settings.ws_max_message_bytes))


@router.websocket("/api/conversations/{conversation_id}/ws")
async def customer_socket(websocket: WebSocket, conversation_id: str) -> None:
    services: Services = websocket.app.state.services
    settings = services.settings
    await websocket.accept()
    try:
        with services.sockets.hold(f"ip:{_address(websocket)}", settings.ws_max_sockets_per_ip, "too many open sockets from your address"):
            token = await _token(websocket, services)
            async with services.sessions() as session:
                try:
                    conversation = await authorized_conversation(session, conversation_id, token)
                except DomainError as exc:
                    raise CloseSocket(UNAUTHORIZED, exc.reason) from None
                waiting = conversation.state is ConversationState.waiting
                position = await queue_position(session, conversation_id) if waiting else None
                ready = {"type": "ready", "state": conversation.state.value, "queue_position": position}
            with services.sockets.hold(f"conversation:{conversation_id}", settings.ws_max_sockets_per_conversation,
                                       "too many open sockets on this conversation: close another tab"):
                await _serve_customer(websocket, services, conversation_id, ready)
    except CloseSocket as exc:
        await _close(websocket, exc.code, exc.reason)
    except WebSocketDisconnect:
        pass
    await _close(websocket)


async def _serve_customer(websocket: WebSocket, services: Services, conversation_id: str, ready: dict[str, Any]) -> None:
    typing = TypingLimit(services.settings.ws_typing_per_second, services.settings.ws_typing_burst)

    async def on_event(event: dict[str, Any]) -> None:
        if event.get("type") != "typing" or not typing.allow():
            return
        async with services.sessions() as session:
            consoles = await consoles_of(session, conversation_id)
        if consoles is not None:  # shown in the agent's console, cleared there after a few seconds
            services.hub.publish(consoles, {"type": "typing", "conversation_id": conversation_id, "sender": "customer",
                                            "active": bool(event.get("active"))})

    async with services.hub.subscribe(conversation_channel(conversation_id)) as queue:
        await websocket.send_json(ready)
        await _first_to_end(_forward(websocket, queue), _receive(websocket, services, on_event))


async def _agent_id(services: Services, token: str) -> tuple[int, str]:
    """The agent of a live session, or `CloseSocket` saying why not (signed out, expired, disabled)."""
    async with services.sessions() as session:
        try:
            agent = await agent_for_token(session, token)
        except DomainError as exc:
            raise CloseSocket(UNAUTHORIZED, exc.reason) from None
        return agent.id, agent.name


@router.websocket("/api/agent/ws")
async def agent_socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    settings = services.settings
    await websocket.accept()
    try:
        with services.sockets.hold(f"ip:{_address(websocket)}", settings.ws_max_sockets_per_ip, "too many open sockets from your address"):
            token = await _token(websocket, services)
            agent_id, agent_name = await _agent_id(services, token)
            with services.sockets.hold(f"agent:{agent_id}", settings.ws_max_sockets_per_agent, "too many open consoles: close another tab"):
                await _serve_agent(websocket, services, token, agent_id, agent_name)
    except CloseSocket as exc:
        await _close(websocket, exc.code, exc.reason)
    except WebSocketDisconnect:
        pass
    await _close(websocket)


async def _keep_checking(services: Services, token: str, now: asyncio.Event) -> None:
    """The session must still hold: checked when told (sign-out, disabling) and every `agent_session_check_seconds` (expiry).

    Each check also marks the console as open, which is how every api replica knows who is online (`api/desk/presence.py`).
    """
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(now.wait(), services.settings.agent_session_check_seconds)
        now.clear()
        try:
            agent_id, _ = await _agent_id(services, token)
            async with services.sessions() as session:
                await console_seen(session, agent_id)
        except SQLAlchemyError as exc:  # a busy database is no reason to sign anyone out: check again later
            log.warning("could not check a console's session: %s", exc)


async def _serve_agent(websocket: WebSocket, services: Services, token: str, agent_id: int, agent_name: str) -> None:
    typing = TypingLimit(services.settings.ws_typing_per_second, services.settings.ws_typing_burst)

    async def on_event(event: dict[str, Any]) -> None:
        conversation_id = event.get("conversation_id")
        if event.get("type") != "typing" or not isinstance(conversation_id, str) or not typing.allow():
            return
        async with services.sessions() as session:
            holds_it = await consoles_of(session, conversation_id) == agent_channel(agent_id)
        if holds_it:  # only the agent who holds the chat shows the customer that someone is typing
            services.hub.publish(conversation_channel(conversation_id), {"type": "typing", "sender": "agent", "agent": agent_name,
                                                                         "active": bool(event.get("active"))})

    check_now = asyncio.Event()
    services.consoles.connected(agent_id)
    closed_with: int | None = None
    try:
        async with services.sessions() as session:  # someone is online from now on, as every api replica sees
            await console_seen(session, agent_id)
        async with services.hub.subscribe(AGENTS, agent_channel(agent_id)) as queue:
            await websocket.send_json({"type": "ready", "agent": agent_name})
            await _first_to_end(_forward(websocket, queue, check_now.set), _receive(websocket, services, on_event),
                                _keep_checking(services, token, check_now))
    except WebSocketDisconnect as exc:
        closed_with = exc.code
        raise
    finally:
        # A restart of the api closes every console (1012): that is not an agent leaving their chats.
        if services.consoles.disconnected(agent_id) and closed_with != SERVICE_RESTART and not services.stopping:
            services.spawn(_release_when_gone(services, agent_id))


async def _release_when_gone(services: Services, agent_id: int) -> None:
    """A console that does not come back within the grace period is nobody online, and gives its chats back to the queue."""
    await asyncio.sleep(services.settings.agent_reconnect_grace_seconds)
    if services.consoles.is_connected(agent_id) or services.stopping:
        return
    async with services.sessions() as session:
        await console_seen(session, agent_id, gone=True)
        moved = await lifecycle.requeue(session, services.hub, agent_id)
    if moved:
        log.info("agent %s disconnected; %d conversation(s) back in the queue", agent_id, len(moved))
