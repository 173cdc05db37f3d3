"""The action webhook Rasa calls: runs our Rasa SDK actions in this process, next to the knowledge base."""
from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

from api.deps import ServicesDep
from api.errors import Forbidden

router = APIRouter(prefix="/internal/actions", tags=["internal"], include_in_schema=False)


@router.post("/webhook")
async def webhook(request: Request, services: ServicesDep, x_action_token: str = Header("")) -> JSONResponse:
    """Same contract as rasa_sdk's own action server, guarded by the token header Rasa sends (see endpoints.yml)."""
    if not hmac.compare_digest(x_action_token, services.settings.action_token.get_secret_value()):
        raise Forbidden("wrong or missing action webhook token")
    action_call: dict[str, Any] = await request.json()
    try:
        result = await services.executor.run(action_call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    except ActionMissingDomainException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=449)
    return JSONResponse(result.model_dump() if result else None)
