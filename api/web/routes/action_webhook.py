"""The action webhook Rasa calls: runs our Rasa SDK actions in this process, next to the knowledge base."""
from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

from api.chat.system_messages import system_text
from api.domain_errors import Forbidden
from api.web.deps import ServicesDep

log = logging.getLogger(__name__)

router = APIRouter(prefix="/internal/actions", tags=["internal"], include_in_schema=False)


@router.post("/webhook")
async def webhook(request: Request, services: ServicesDep, x_action_token: str = Header("")) -> JSONResponse:
    """Same contract as rasa_sdk's own action server, guarded by the token header Rasa sends (see endpoints.yml).

    Compared as bytes: `hmac.compare_digest` refuses str with non-ASCII characters (a 500 instead of a 403).
    """
    expected = services.settings.action_token.get_secret_value()
    if not hmac.compare_digest(x_action_token.encode(), expected.encode()):
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
    except Exception:  # a bug or an unavailable part: Rasa would drop the action silently, the customer must hear from us
        log.exception("action %s failed for conversation %s", action_call.get("next_action"), action_call.get("sender_id"))
        return JSONResponse({"events": [], "responses": [{"text": system_text("action_failed", _language(action_call))}]})
    return JSONResponse(result.model_dump() if result else None)


def _language(action_call: dict[str, Any]) -> str | None:
    """The language the api detected for the customer's last message (it travels in the message metadata)."""
    latest = (action_call.get("tracker") or {}).get("latest_message") or {}
    return (latest.get("metadata") or {}).get("language")
