"""Editors' endpoints for the knowledge base: force a reload, try a search."""
from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import ServicesDep
from api.errors import ApiError, Forbidden, NotAuthenticated
from api.schemas import Language
from knowledge import ContentError

router = APIRouter(prefix="/api/knowledge", tags=["knowledge"])
_bearer = HTTPBearer(auto_error=False, description="The admin token (SHOPBOT_ADMIN_TOKEN).")


class ContentProblems(ApiError):
    status_code = 422


def require_admin(services: ServicesDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    expected = services.settings.admin_token
    if expected is None:
        raise Forbidden("editor endpoints are disabled: set SHOPBOT_ADMIN_TOKEN")
    if credentials is None:
        raise NotAuthenticated("missing `Authorization: Bearer <admin token>` header")
    if not hmac.compare_digest(credentials.credentials, expected.get_secret_value()):
        raise Forbidden("wrong admin token")


AdminDep = Annotated[None, Depends(require_admin)]


@router.post("/reload")
async def reload(services: ServicesDep, _: AdminDep) -> dict:
    """Rebuild now if the files changed; a broken file is reported and the last good index keeps serving."""
    try:
        rebuilt = await asyncio.to_thread(services.knowledge.ensure_built)
    except ContentError as exc:
        raise ContentProblems("the knowledge files have problems; still serving the last good index:\n" + str(exc)) from exc
    return {"rebuilt": rebuilt, **services.knowledge.status()}


@router.get("/search")
async def search(services: ServicesDep, _: AdminDep, q: Annotated[str, Query(min_length=1, max_length=2000)], lang: Language = "en") -> dict:
    """What the bot would find and decide for a question."""
    decision = await asyncio.to_thread(services.knowledge.decide, q, lang=lang)
    return {"decision": decision.action, "hits": [hit.__dict__ for hit in decision.hits]}
