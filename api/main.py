"""The app factory: `uvicorn api.main:create_app --factory`. Everything heavy is built in the lifespan."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from actions.registry import build_executor
from api.db import make_engine, make_sessionmaker, migrate
from api.deps import Services
from api.errors import install_error_handlers
from api.language import LanguageGuesser
from api.limits import BodySizeLimit
from api.rasa_client import RasaClient
from api.content_watch import watch_content
from api.routes import action_webhook, conversations, health, knowledge
from api.settings import Settings
from knowledge import ContentError
from knowledge.cli import knowledge_base

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the api; `settings` default to the environment."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate, settings.database)
        engine = make_engine(settings.database)
        kb = knowledge_base(settings)
        try:
            built = await asyncio.to_thread(kb.ensure_built)
            log.info("knowledge index %s (%s)", kb.index.name, "built" if built else "loaded")
        except ContentError as exc:  # serve the last good index; health shows the problems
            log.error("knowledge files have problems, serving the last good index:\n%s", exc)
        rasa = RasaClient(settings.rasa_url, settings.rasa_token.get_secret_value(), timeout=settings.rasa_timeout_seconds)
        app.state.services = Services(
            settings=settings,
            sessions=make_sessionmaker(engine),
            rasa=rasa,
            knowledge=kb,
            languages=LanguageGuesser(),
            executor=build_executor(kb, fallback_entries=settings.fallback_entries),
        )
        stop_watching = asyncio.Event()
        watcher = asyncio.create_task(watch_content(kb, stop_watching)) if settings.watch_content else None
        yield
        stop_watching.set()
        if watcher:
            await watcher
        await rasa.aclose()
        await engine.dispose()

    app = FastAPI(title="Shopbot", summary="Multilingual customer-support chatbot", lifespan=lifespan, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    for router in (conversations.router, health.router, knowledge.router, action_webhook.router):
        app.include_router(router)
    return app
