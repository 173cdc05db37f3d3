"""The agent console's api: sign-in, presence, the queue, taking over, replying, hand-back, tickets, ratings."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from api.chat import lifecycle
from api.chat.system_messages import system_text
from api.chat.transcripts import conversation_detail, message_out, queue_items, rating_out
from api.desk.agent_replies import agent_reply
from api.desk.agents import sign_in, sign_out
from api.domain_errors import MailNotSent, NotFound
from api.infra.mailer import send_mail
from api.infra.realtime import SESSION_CHECK, agent_channel
from api.storage.models import Agent, CannedResponse, ConversationState, Message, Rating, Sender, Ticket, TicketStatus
from api.web.deps import CurrentAgent, ServicesDep, SessionDep, limit_logins
from api.web.schemas import (
    AgentMessageIn,
    AgentOut,
    AgentSessionOut,
    CannedOut,
    ConversationDetail,
    Language,
    LoginIn,
    MessageOut,
    PresenceIn,
    QueueItem,
    RatingOut,
    RowId,
    TicketOut,
    TicketReplyIn,
)

router = APIRouter(prefix="/api/agent", tags=["agent console"])


def agent_out(agent: Agent) -> AgentOut:
    return AgentOut(id=agent.id, email=agent.email, name=agent.name, role=agent.role, presence=agent.presence)


@router.post("/login", dependencies=[Depends(limit_logins)],
             responses={429: {"description": "Too many sign-in attempts from this address; see Retry-After."}})
async def login(body: LoginIn, session: SessionDep, services: ServicesDep) -> AgentSessionOut:
    """Exchange e-mail and password for a session token that expires (SHOPBOT_AGENT_SESSION_HOURS), starting with `presence`."""
    agent, token, expires = await sign_in(session, email=body.email, password=body.password, presence=body.presence,
                                          ttl=timedelta(hours=services.settings.agent_session_hours))
    return AgentSessionOut(token=token, expires_at=expires, agent=agent_out(agent))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(agent: CurrentAgent, session: SessionDep, services: ServicesDep,
                 credentials: Annotated[HTTPAuthorizationCredentials, Depends(HTTPBearer())]) -> None:
    """End the session; its open consoles close at once (4401), on whichever replica they are."""
    await sign_out(session, credentials.credentials)
    services.hub.publish(agent_channel(agent.id), {"type": SESSION_CHECK})


@router.get("/me")
async def me(agent: CurrentAgent) -> AgentOut:
    return agent_out(agent)


@router.put("/presence")
async def set_presence(body: PresenceIn, agent: CurrentAgent, session: SessionDep, services: ServicesDep) -> AgentOut:
    """Online agents are offered new chats; customers are offered a person only while someone is online."""
    agent.presence = body.presence
    await session.commit()
    services.hub.publish("agents", {"type": "presence", "agent": agent.name, "presence": agent.presence.value})
    return agent_out(agent)


@router.get("/queue")
async def queue(agent: CurrentAgent, session: SessionDep) -> list[QueueItem]:
    """Waiting conversations, the longest waiting first, with language, reason and the handoff note."""
    return await queue_items(session, states=(ConversationState.waiting,))


@router.get("/conversations")
async def active(agent: CurrentAgent, session: SessionDep) -> list[QueueItem]:
    """Conversations that agents hold now."""
    return await queue_items(session, states=(ConversationState.agent,))


@router.get("/conversations/{conversation_id}")
async def detail(conversation_id: str, agent: CurrentAgent, session: SessionDep) -> ConversationDetail:
    return await conversation_detail(session, await lifecycle.existing_conversation(session, conversation_id))


@router.post("/conversations/{conversation_id}/take")
async def take(conversation_id: str, agent: CurrentAgent, session: SessionDep, services: ServicesDep) -> ConversationDetail:
    """Take a waiting conversation; 409 when another agent already has it."""
    conversation = await lifecycle.take(session, services.hub, conversation_id, agent)
    return await conversation_detail(session, conversation)


@router.post("/conversations/{conversation_id}/messages", status_code=status.HTTP_201_CREATED)
async def reply(conversation_id: str, body: AgentMessageIn, agent: CurrentAgent, session: SessionDep, services: ServicesDep) -> MessageOut:
    message = await agent_reply(session, services.hub, conversation_id, agent, body.text.strip())
    return message_out(message, {agent.id: agent.name})


@router.post("/conversations/{conversation_id}/handback")
async def hand_back(conversation_id: str, agent: CurrentAgent, session: SessionDep, services: ServicesDep) -> ConversationDetail:
    """The bot answers again, with the conversation's earlier context."""
    conversation = await lifecycle.hand_back(session, services.hub, services.rasa, conversation_id, agent)
    return await conversation_detail(session, conversation)


@router.post("/conversations/{conversation_id}/close")
async def close(conversation_id: str, agent: CurrentAgent, session: SessionDep, services: ServicesDep) -> ConversationDetail:
    """The customer is told; their next message reopens the chat for the bot."""
    conversation = await lifecycle.close(session, services.hub, services.rasa, conversation_id, agent)
    return await conversation_detail(session, conversation)


@router.get("/canned")
async def canned(agent: CurrentAgent, session: SessionDep, language: Annotated[Language | None, Query()] = None) -> list[CannedOut]:
    """Prepared replies; the console inserts one when the agent types its shortcut."""
    query = select(CannedResponse).order_by(CannedResponse.shortcut)
    if language:
        query = query.where(CannedResponse.language == language)
    return [CannedOut(id=c.id, language=c.language, shortcut=c.shortcut, text=c.text) for c in await session.scalars(query)]


@router.get("/tickets")
async def tickets(agent: CurrentAgent, session: SessionDep) -> list[TicketOut]:
    """Complaint tickets and contact requests, open ones first, the oldest first."""
    rows = await session.scalars(select(Ticket).order_by(Ticket.status != "open", Ticket.created_at))
    return [TicketOut.model_validate(t, from_attributes=True) for t in rows]


@router.get("/ratings")
async def ratings(agent: CurrentAgent, session: SessionDep) -> list[RatingOut]:
    rows = await session.scalars(select(Rating).order_by(Rating.created_at.desc()).limit(200))
    return [rating_out(r) for r in rows]


@router.post("/tickets/{ticket_id}/reply")
async def reply_to_ticket(ticket_id: RowId, body: TicketReplyIn, agent: CurrentAgent, session: SessionDep, services: ServicesDep) -> TicketOut:
    """Answer a ticket: saved first (and added to the transcript), then e-mailed to the customer if they left an address."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    ticket.answer, ticket.answered_at, ticket.answered_by = body.text.strip(), datetime.now(UTC), agent.id
    ticket.status = TicketStatus.answered
    session.add(Message(conversation_id=ticket.conversation_id, sender=Sender.agent, text=ticket.answer, language=ticket.language,
                        agent_id=agent.id))
    await session.commit()
    if ticket.email:
        try:
            await send_mail(services.settings, services.shop.current, to=ticket.email,
                            subject=system_text("email_subject", ticket.language, shop_name=services.shop.current.name), body=ticket.answer)
        except MailNotSent as exc:
            raise MailNotSent(f"{exc}; the answer is saved") from exc
    return TicketOut.model_validate(ticket, from_attributes=True)
