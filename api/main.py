"""The app factory: `uvicorn api.main:create_app --factory`. Everything heavy is built in the lifespan."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from actions.registry import build_executor
from api.chat.answering import sign_of_life, stay_alive
from api.chat.pending import answer_pending_when_the_bot_is_back
from api.chat.rasa_client import RasaClient
from api.desk.queue_waits import offer_contact_when_nobody_comes
from api.desk.service_desk import DatabaseDesk
from api.infra.content_watch import watch_content
from api.infra.rate_limits import RateLimits
from api.infra.realtime import make_hub
from api.services import Services
from api.settings import Settings
from api.storage.db import make_engine, make_sessionmaker, migrate_in_child
from api.storage.leases import release_all
from api.web.body_limit import BodySizeLimit
from api.web.errors import install_error_handlers
from api.web.routes import (
    action_webhook,
    admin,
    agent,
    attachments,
    availability,
    back_office,
    conversations,
    editor,
    health,
    live,
    shop,
)
from api.web.security_headers import SecurityHeaders
from knowledge import ContentError
from knowledge.editing import FaqEditor, ManualEditor
from knowledge.settings import knowledge_base
from knowledge.shop import ShopConfig

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the api; `settings` default to the environment."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate_in_child, settings.database)
        engine = make_engine(settings.database)
        kb = knowledge_base(settings)
        try:
            built = await asyncio.to_thread(kb.ensure_built)
            log.info("knowledge index %s (%s)", kb.index.name, "built" if built else "loaded")
        except ContentError as exc:  # serve the last good index; health shows the problems
            log.error("knowledge files have problems, serving the last good index:\n%s", exc)
        shop_config = ShopConfig(settings)  # a broken shop file stops the start, with its file:line problems
        sessions = make_sessionmaker(engine)
        rasa = RasaClient(settings.rasa_url, settings.rasa_token.get_secret_value(), timeout=settings.rasa_timeout_seconds)
        services = Services(
            settings=settings,
            sessions=sessions,
            rasa=rasa,
            knowledge=kb,
            shop=shop_config,
            executor=build_executor(kb, DatabaseDesk(sessions, settings)),
            faq_editor=FaqEditor(settings.content_dir, languages=shop_config.current.languages),
            manual_editor=ManualEditor(settings.content_dir),
            rate_limits=RateLimits(settings.rate_limit_rules, settings.rate_limit_storage),
            hub=make_hub(settings.redis_url),
        )
        services.notice_exit_signals()
        await services.hub.start()
        await sign_of_life(sessions, services.instance)  # before the first message: the messages it asks the bot about are its own
        app.state.services = services
        stop = asyncio.Event()
        alive = asyncio.create_task(stay_alive(sessions, services.instance, stop))
        watcher = asyncio.create_task(watch_content(kb, stop, also=services.reload_shop)) if settings.watch_content else None
        waiter = asyncio.create_task(offer_contact_when_nobody_comes(
            sessions, services.hub, services.instance, stop, wait_seconds=settings.handoff_wait_seconds,
            reply_hours=settings.offline_reply_hours, online_check_seconds=settings.agent_session_check_seconds))
        retrier = asyncio.create_task(answer_pending_when_the_bot_is_back(sessions, services.responders(), stop))
        yield
        await services.cancel_background()
        stop.set()
        for task in (watcher, waiter, retrier, alive):
            if task:
                await task
        await release_all(sessions, services.instance)
        await services.hub.close()
        await rasa.aclose()
        await engine.dispose()

    app = FastAPI(title="Shopbot", summary="Multilingual customer-support chatbot", lifespan=lifespan, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, uploads=attachments.UPLOADS, max_upload_bytes=settings.max_attachment_bytes)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    if settings.widget_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.widget_origins, allow_methods=["GET", "POST", "PUT", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], expose_headers=["Retry-After"])
    for page in ("console", "widget", "demo"):
        app.mount(f"/{page}", StaticFiles(directory=STATIC / page, html=True), name=page)
    app.add_api_route("/", lambda: RedirectResponse("/demo/"), include_in_schema=False)
    for router in (conversations.router, attachments.router, availability.router, shop.router, agent.router, admin.router, back_office.router, editor.router,
                   live.router, health.router, action_webhook.router):
        app.include_router(router)
    return app
