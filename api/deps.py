"""FastAPI dependencies: the shared services built at start-up, and the caller's identity."""
from __future__ import annotations

import asyncio
import signal
import threading
import uuid
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from types import FrameType
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.agents import agent_for_token, require_role
from api.conversations import authorized_conversation
from api.errors import NotAuthenticated
from api.insights import ReportCache
from api.models import Agent, Conversation, Role
from api.presence import Consoles
from api.rasa_client import RasaClient
from api.rate_limits import RateLimits, Rule
from api.realtime import Hub
from api.settings import Settings
from api.sockets import OpenSockets
from knowledge import KnowledgeBase
from knowledge.editing import FaqEditor, ManualEditor
from knowledge.language import LanguageGuesser, language_guesser
from knowledge.shop import ShopConfig


@dataclass
class Services:
    """Everything built once per process in the app's lifespan."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    rasa: RasaClient
    knowledge: KnowledgeBase
    shop: ShopConfig
    executor: ActionExecutor
    faq_editor: FaqEditor
    manual_editor: ManualEditor
    rate_limits: RateLimits
    hub: Hub = field(default_factory=Hub)
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)  # this process, as the holder of background duties
    consoles: Consoles = field(default_factory=Consoles)
    reports: ReportCache = field(default_factory=ReportCache)  # the back office's unanswered-question groups, briefly
    sockets: OpenSockets = field(default_factory=OpenSockets)  # live sockets per address, conversation and agent
    stopping: bool = False  # set by SIGTERM/SIGINT, before uvicorn closes the sockets
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def languages(self) -> LanguageGuesser:
        """The guess among the languages the shop's file names now, falling back to its default."""
        shop = self.shop.current
        return language_guesser(shop.answerable_languages, shop.default_language)

    def reload_shop(self) -> None:
        """The shop file changed (content_watch): the name, contacts and languages follow without a restart."""
        self.shop.reload()
        self.faq_editor.languages = self.shop.current.languages

    def notice_exit_signals(self) -> None:
        """Chain a handler before uvicorn's: consoles it cuts off while stopping are not agents leaving their chats.

        uvicorn closes the sockets first and runs the lifespan's shutdown (which cancels background work)
        only after every connection has ended, which may take longer than the reconnect grace.
        """
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)

            def handler(number: int, frame: FrameType | None, previous: Any = previous) -> None:
                self.stopping = True
                if callable(previous):
                    previous(number, frame)
            signal.signal(signum, handler)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` in the background, holding a reference so it is not garbage-collected midway."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel_background(self) -> None:
        """At shutdown: e.g. consoles cut off by the restart itself must not send their chats back to the queue."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
_bearer = HTTPBearer(auto_error=False, description="The customer token returned when the conversation was created.")


async def get_customer_conversation(conversation_id: str, session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Conversation:
    if credentials is None or not credentials.credentials:
        raise NotAuthenticated("missing `Authorization: Bearer <token>` header")
    return await authorized_conversation(session, conversation_id, credentials.credentials)


CustomerConversation = Annotated[Conversation, Depends(get_customer_conversation)]


def client_address(request: Request) -> str:
    """The caller's IP as uvicorn reports it: X-Forwarded-For when it comes from a trusted proxy (FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


async def limit_new_conversations(request: Request, services: ServicesDep) -> None:
    await services.rate_limits.hit((Rule.ip_conversations, client_address(request)))


async def limit_customer_messages(request: Request, services: ServicesDep, conversation: CustomerConversation) -> None:
    await services.rate_limits.hit((Rule.conversation_messages, conversation.id), (Rule.ip_messages, client_address(request)))


async def limit_transcript_mails(request: Request, services: ServicesDep, conversation: CustomerConversation) -> None:
    await services.rate_limits.hit((Rule.conversation_transcripts, conversation.id), (Rule.ip_messages, client_address(request)))


async def limit_logins(request: Request, services: ServicesDep) -> None:
    await services.rate_limits.hit((Rule.ip_logins, client_address(request)))


_agent_bearer = HTTPBearer(auto_error=False, description="An agent session token from POST /api/agent/login.")


async def get_current_agent(session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_agent_bearer)]) -> Agent:
    if credentials is None or not credentials.credentials:
        raise NotAuthenticated("missing `Authorization: Bearer <session token>` header: sign in first")
    return await agent_for_token(session, credentials.credentials)


CurrentAgent = Annotated[Agent, Depends(get_current_agent)]


async def get_current_admin(agent: CurrentAgent) -> Agent:
    require_role(agent, Role.admin)
    return agent


CurrentAdmin = Annotated[Agent, Depends(get_current_admin)]


async def get_current_editor(agent: CurrentAgent) -> Agent:
    require_role(agent, Role.editor)
    return agent


CurrentEditor = Annotated[Agent, Depends(get_current_editor)]
