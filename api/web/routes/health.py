"""Health of every part: the api, Rasa, the action webhook and the knowledge index."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.web.deps import ServicesDep
from knowledge import KnowledgeError

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
async def health(services: ServicesDep) -> JSONResponse:
    """200 when every part works, 503 (with the same body) when one does not."""
    rasa = await services.rasa.status()
    try:
        index = {"ok": True, **services.knowledge.status()}
    except KnowledgeError as exc:
        index = {"ok": False, "error": str(exc)}
    actions = services.executor.list_actions()
    webhook = {"ok": bool(actions), "actions": sorted(a.name for a in actions)}
    parts = {"api": {"ok": True}, "rasa": rasa, "action_webhook": webhook, "index": index}
    healthy = all(part["ok"] for part in parts.values())
    return JSONResponse({"status": "ok" if healthy else "degraded", **parts}, status_code=200 if healthy else 503)
