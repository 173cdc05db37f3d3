"""Admins manage the people who use the console and the canned responses."""
from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from api.agents import create_agent
from api.deps import CurrentAdmin, SessionDep
from api.errors import NotFound
from api.models import Agent, CannedResponse
from api.routes.agent import agent_out
from api.schemas import AgentCreate, AgentOut, CannedIn, CannedOut

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/agents")
async def list_agents(admin: CurrentAdmin, session: SessionDep) -> list[AgentOut]:
    return [agent_out(a) for a in await session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.name))]


@router.post("/agents", status_code=status.HTTP_201_CREATED)
async def add_agent(body: AgentCreate, admin: CurrentAdmin, session: SessionDep) -> AgentOut:
    return agent_out(await create_agent(session, email=body.email, name=body.name, password=body.password, role=body.role))


@router.delete("/agents/{agent_id}", status_code=status.HTTP_204_NO_CONTENT)
async def disable_agent(agent_id: int, admin: CurrentAdmin, session: SessionDep) -> None:
    """Disabled, not deleted: their name stays on the messages they wrote."""
    agent = await session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"no agent {agent_id}")
    agent.active = False
    await session.commit()


@router.post("/canned", status_code=status.HTTP_201_CREATED)
async def add_canned(body: CannedIn, admin: CurrentAdmin, session: SessionDep) -> CannedOut:
    canned = CannedResponse(language=body.language, shortcut=body.shortcut, text=body.text)
    session.add(canned)
    await session.commit()
    return CannedOut(id=canned.id, language=canned.language, shortcut=canned.shortcut, text=canned.text)


@router.delete("/canned/{canned_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_canned(canned_id: int, admin: CurrentAdmin, session: SessionDep) -> None:
    canned = await session.get(CannedResponse, canned_id)
    if canned is None:
        raise NotFound(f"no canned response {canned_id}")
    await session.delete(canned)
    await session.commit()
