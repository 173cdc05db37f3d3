"""FastAPI dependencies: the shared services built at start-up (`api.services`), and the caller's identity."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.conversations import authorized_conversation
from api.desk.agents import agent_for_token, require_role
from api.domain_errors import NotAuthenticated
from api.infra.rate_limits import Rule
from api.services import Services
from api.storage.models import Agent, Conversation, Role


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
_bearer = HTTPBearer(auto_error=False, description="The customer token returned when the conversation was created.")


async def get_customer_conversation(conversation_id: str, session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Conversation:
    if credentials is None or not credentials.credentials:
        raise NotAuthenticated("missing `Authorization: Bearer <token>` header")
    return await authorized_conversation(session, conversation_id, credentials.credentials)


CustomerConversation = Annotated[Conversation, Depends(get_customer_conversation)]


def client_address(request: Request) -> str:
    """The caller's IP as uvicorn reports it: X-Forwarded-For when it comes from a trusted proxy (FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


async def limit_new_conversations(request: Request, services: ServicesDep) -> None:
    await services.rate_limits.hit((Rule.ip_conversations, client_address(request)))


async def limit_customer_messages(request: Request, services: ServicesDep, conversation: CustomerConversation) -> None:
    await services.rate_limits.hit((Rule.conversation_messages, conversation.id), (Rule.ip_messages, client_address(request)))


async def limit_transcript_mails(request: Request, services: ServicesDep, conversation: CustomerConversation) -> None:
    await services.rate_limits.hit((Rule.conversation_transcripts, conversation.id), (Rule.ip_messages, client_address(request)))


async def limit_logins(request: Request, services: ServicesDep) -> None:
    await services.rate_limits.hit((Rule.ip_logins, client_address(request)))


_agent_bearer = HTTPBearer(auto_error=False, description="An agent session token from POST /api/agent/login.")


async def get_current_agent(session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_agent_bearer)]) -> Agent:
    if credentials is None or not credentials.credentials:
        raise NotAuthenticated("missing `Authorization: Bearer <session token>` header: sign in first")
    return await agent_for_token(session, credentials.credentials)


CurrentAgent = Annotated[Agent, Depends(get_current_agent)]


async def get_current_admin(agent: CurrentAgent) -> Agent:
    require_role(agent, Role.admin)
    return agent


CurrentAdmin = Annotated[Agent, Depends(get_current_admin)]


async def get_current_editor(agent: CurrentAgent) -> Agent:
    require_role(agent, Role.editor)
    return agent


CurrentEditor = Annotated[Agent, Depends(get_current_editor)]
