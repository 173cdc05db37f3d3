"""What the api builds once per process in its lifespan (`Services`), apart from how FastAPI hands it to routes
(`api.web.deps`), so that domain modules can name it without importing the routes' dependencies."""
from __future__ import annotations

import asyncio
import signal
import threading
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from rasa_sdk.executor import ActionExecutor
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.chat.rasa_client import RasaClient
from api.chat.responders import Responders
from api.desk.presence import Consoles
from api.infra.rate_limits import RateLimits
from api.infra.realtime import Hub
from api.office.insights import ReportCache
from api.settings import Settings
from api.web.sockets import OpenSockets
from knowledge import KnowledgeBase
from knowledge.editing import FaqEditor, ManualEditor
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

    def responders(self) -> Responders:
        """What answering a customer's message uses, and nothing else of the process's services."""
        return Responders(rasa=self.rasa, knowledge=self.knowledge, hub=self.hub, shop=self.shop, instance=self.instance,
                          reply_hours=self.settings.offline_reply_hours, contact_number_prefix=self.settings.contact_number_prefix,
                          online_check_seconds=self.settings.agent_session_check_seconds)

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
