"""FastAPI dependencies: the shared services built at start-up, and the caller's identity."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.conversations import authorized_conversation
from api.errors import NotAuthenticated
from api.language import LanguageGuesser
from api.models import Conversation
from api.rasa_client import RasaClient
from api.settings import Settings
from knowledge import KnowledgeBase


@dataclass
class Services:
    """Everything built once per process in the app's lifespan."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    rasa: RasaClient
    knowledge: KnowledgeBase
    languages: LanguageGuesser
    executor: ActionExecutor


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
