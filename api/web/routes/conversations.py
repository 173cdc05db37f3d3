"""Customers' conversations: create one, send a message, catch up on what others wrote, stop waiting for a person,
rate the agent who helped, have the transcript e-mailed."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from api.chat.conversations import create_conversation, handle_customer_message, validate_text
from api.chat.lifecycle import back_to_bot
from api.chat.transcript_mail import mail_transcript
from api.chat.transcripts import as_reply, contact_ticket, message_out, messages_after
from api.desk.agent_ratings import rate_agent
from api.desk.queue import queue_position
from api.domain_errors import UnknownLanguage
from api.storage.models import ConversationState
from api.web.deps import (
    CustomerConversation,
    ServicesDep,
    SessionDep,
    limit_customer_messages,
    limit_new_conversations,
    limit_transcript_mails,
)
from api.web.routes.availability import current_availability
from api.web.schemas import (
    MAX_ROW_ID,
    AgentRatingIn,
    ConversationCreate,
    ConversationCreated,
    LanguageIn,
    MessageIn,
    MessageResult,
    Transcript,
    TranscriptMailed,
    TranscriptMailIn,
)
from knowledge.shop import Shop

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


def _check_answerable(language: str | None, shop: Shop) -> None:
    """A language the bot can neither serve nor fall back in would leave the customer without texts: refuse it by name."""
    if language is not None and language not in shop.answerable_languages:
        raise UnknownLanguage(f"language {language!r} is not one this shop answers in: {', '.join(shop.answerable_languages)}")


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[Depends(limit_new_conversations)],
             responses={429: {"description": "Too many new conversations from this address; see Retry-After."}})
async def create(session: SessionDep, services: ServicesDep, body: ConversationCreate | None = None) -> ConversationCreated:
    """Start a conversation; keep the returned token, it is the only key to it."""
    body = body or ConversationCreate()
    _check_answerable(body.language, services.shop.current)
    conversation, token, visitor_token = await create_conversation(session, language=body.language, visitor_token=body.visitor_token)
    return ConversationCreated(id=conversation.id, token=token, visitor_token=visitor_token, state=conversation.state, language=conversation.language)


@router.post("/{conversation_id}/messages", dependencies=[Depends(limit_customer_messages)],
             responses={429: {"description": "Too many messages; the client keeps the text and sends it after Retry-After seconds."}})
async def send_message(body: MessageIn, conversation: CustomerConversation, session: SessionDep, services: ServicesDep) -> MessageResult:
    """Send the customer's text; the reply carries the bot's answers and the conversation's state."""
    text = validate_text(body.text, max_chars=services.settings.max_message_chars)
    handled = await handle_customer_message(session, services.responders(), conversation, text, payload=body.payload, client_id=body.client_id)
    return MessageResult(message_id=handled.message_id, language=handled.language, replies=[as_reply(m) for m in handled.replies],
                         state=handled.state, pending=handled.pending)


@router.get("/{conversation_id}/messages")
async def read_messages(conversation: CustomerConversation, session: SessionDep, services: ServicesDep,
                        after: Annotated[int, Query(ge=0, le=MAX_ROW_ID, description="Only messages with a larger id.")] = 0) -> Transcript:
    """The polling fallback of the WebSocket, and how a reloaded page restores the conversation: its state, the place in
    the queue, whether anyone is online, and the e-mail ticket it left."""
    position = await queue_position(session, conversation.id) if conversation.state is ConversationState.waiting else None
    return Transcript(state=conversation.state, language=conversation.language, queue_position=position,
                      availability=await current_availability(session, services.settings),
                      ticket=await contact_ticket(session, conversation.id, reply_hours=services.settings.offline_reply_hours),
                      messages=await messages_after(session, conversation.id, after))


@router.delete("/{conversation_id}/handoff", dependencies=[Depends(limit_customer_messages)], responses={
    409: {"description": "Not waiting for a person: e.g. a colleague has just taken the chat."},
    503: {"description": "The bot cannot take the chat back now; the customer keeps their place."}})
async def leave_the_queue(conversation: CustomerConversation, session: SessionDep, services: ServicesDep) -> Transcript:
    """The customer stops waiting for a person ("Back to the assistant"): the chat leaves the queue and the bot answers again."""
    conversation, notice = await back_to_bot(session, services.hub, services.rasa, conversation.id)
    return Transcript(state=conversation.state, language=conversation.language, messages=[message_out(notice, {})])


@router.put("/{conversation_id}/handoffs/{handoff_id}/rating", dependencies=[Depends(limit_customer_messages)], responses={
    404: {"description": "This conversation has no such handoff."},
    409: {"description": "No agent has finished helping with it yet (taken and then closed or handed back)."},
    422: {"description": "The score is not a whole number from 1 to 5, or the comment is too long."}})
async def rate_the_agent(handoff_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)], body: AgentRatingIn, conversation: CustomerConversation,
                         session: SessionDep, services: ServicesDep) -> Transcript:
    """The customer rates the agent who ended the handoff, from the question asked then: answered here, not by the bot,
    even when the chat is closed. A second rating of the same handoff replaces the first (the widget sends its comment
    so); the rated agent's console shows it live."""
    thanks = await rate_agent(session, services.hub, conversation, handoff_id, body.score, body.comment)
    return Transcript(state=conversation.state, language=conversation.language, messages=[message_out(thanks, {})] if thanks else [])


@router.put("/{conversation_id}/language")
async def switch_language(body: LanguageIn, conversation: CustomerConversation, session: SessionDep, services: ServicesDep) -> Transcript:
    """The customer picked a language in the widget: the bot and the system messages use it from now on."""
    _check_answerable(body.language, services.shop.current)
    conversation.language = body.language
    await session.commit()
    return Transcript(state=conversation.state, language=conversation.language, messages=[])


@router.post("/{conversation_id}/transcript", responses={
    429: {"description": "This conversation's transcript was e-mailed often enough lately; see Retry-After."},
    502: {"description": "No mail server is configured, or it did not take the message."}})
async def email_transcript(body: TranscriptMailIn, conversation: CustomerConversation, session: SessionDep, services: ServicesDep,
                           request: Request) -> TranscriptMailed:
    """E-mail the conversation so far to the address the customer gives (a few times per conversation at most)."""
    await limit_transcript_mails(request, services, conversation)  # counted once the address is valid: a typo costs no send
    sent = await mail_transcript(session, services.settings, services.shop.current, conversation, body.email)
    return TranscriptMailed(email=body.email, messages=sent)
