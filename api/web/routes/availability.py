"""Whether a colleague can take a chat now: the widget says so in its header before a customer asks for one."""
from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from api.desk.presence import anyone_online
from api.settings import Settings
from api.web.deps import ServicesDep, SessionDep
from api.web.schemas import Availability

router = APIRouter(prefix="/api/availability", tags=["conversations"])


async def current_availability(session: AsyncSession, settings: Settings) -> Availability:
    """Someone Available with a console open (on any replica), and the e-mail reply time promised when nobody is."""
    online = await anyone_online(session, check_seconds=settings.agent_session_check_seconds)
    return Availability(agents_online=online, reply_hours=settings.offline_reply_hours)


@router.get("")
async def availability(session: SessionDep, services: ServicesDep) -> Availability:
    """Public, no token: known before any conversation exists, so the widget can show that nobody is online."""
    return await current_availability(session, services.settings)
