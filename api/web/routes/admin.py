"""Admins manage the people who use the console and the canned responses."""
from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from api.desk.agents import create_agent
from api.domain_errors import NotFound
from api.infra.realtime import SESSION_CHECK, agent_channel
from api.office.erasure import erase_customer
from api.office.export import messages_csv, ratings_csv
from api.storage.models import Agent, CannedResponse
from api.web.deps import CurrentAdmin, ServicesDep, SessionDep
from api.web.routes.agent import agent_out
from api.web.routes.back_office import DaysQuery, period_of
from api.web.schemas import AgentCreate, AgentOut, CannedIn, CannedOut, ErasureOut, Language, RowId

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/agents")
async def list_agents(admin: CurrentAdmin, session: SessionDep) -> list[AgentOut]:
    return [agent_out(a) for a in await session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.name))]


@router.post("/agents", status_code=status.HTTP_201_CREATED)
async def add_agent(body: AgentCreate, admin: CurrentAdmin, session: SessionDep) -> AgentOut:
    return agent_out(await create_agent(session, email=body.email, name=body.name, password=body.password, role=body.role))


@router.delete("/agents/{agent_id}", status_code=status.HTTP_204_NO_CONTENT)
async def disable_agent(agent_id: RowId, admin: CurrentAdmin, session: SessionDep, services: ServicesDep) -> None:
    """Disabled, not deleted: their name stays on the messages they wrote."""
    agent = await session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"no agent {agent_id}")
    agent.active = False
    await session.commit()
    services.hub.publish(agent_channel(agent_id), {"type": SESSION_CHECK})  # their open consoles close at once


@router.post("/canned", status_code=status.HTTP_201_CREATED)
async def add_canned(body: CannedIn, admin: CurrentAdmin, session: SessionDep) -> CannedOut:
    canned = CannedResponse(language=body.language, shortcut=body.shortcut, text=body.text)
    session.add(canned)
    await session.commit()
    return CannedOut(id=canned.id, language=canned.language, shortcut=canned.shortcut, text=canned.text)


@router.delete("/canned/{canned_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_canned(canned_id: RowId, admin: CurrentAdmin, session: SessionDep) -> None:
    canned = await session.get(CannedResponse, canned_id)
    if canned is None:
        raise NotFound(f"no canned response {canned_id}")
    await session.delete(canned)
    await session.commit()


def _csv_download(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/export/messages.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def export_messages(admin: CurrentAdmin, session: SessionDep, days: DaysQuery = 30, language: Language | None = None) -> Response:
    """Every message of the conversations started in the period, with the bot's sources and decisions."""
    return _csv_download(await messages_csv(session, period_of(days, language)), "messages.csv")


@router.get("/export/ratings.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def export_ratings(admin: CurrentAdmin, session: SessionDep, days: DaysQuery = 30, language: Language | None = None) -> Response:
    return _csv_download(await ratings_csv(session, period_of(days, language)), "ratings.csv")


@router.delete("/customers/{conversation_id}")
async def erase(conversation_id: str, admin: CurrentAdmin, session: SessionDep, services: ServicesDep) -> ErasureOut:
    """Erase the customer who had this conversation: all their conversations' content, here and in Rasa."""
    erased = await erase_customer(session, services.rasa, conversation_id)
    return ErasureOut(conversations=erased.conversations, messages=erased.messages)
