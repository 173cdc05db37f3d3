"""Customers' conversations: create one, send a message, read the replies."""
from __future__ import annotations

from fastapi import APIRouter, status

from api.conversations import create_conversation, handle_customer_message, validate_text
from api.deps import CustomerConversation, ServicesDep, SessionDep
from api.schemas import ConversationCreate, ConversationCreated, MessageIn, MessageResult

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create(session: SessionDep, body: ConversationCreate | None = None) -> ConversationCreated:
    """Start a conversation; keep the returned token, it is the only key to it."""
    conversation, token = await create_conversation(session, language=body.language if body else None)
    return ConversationCreated(id=conversation.id, token=token, state=conversation.state, language=conversation.language)


@router.post("/{conversation_id}/messages")
async def send_message(body: MessageIn, conversation: CustomerConversation, session: SessionDep, services: ServicesDep) -> MessageResult:
    """Send the customer's text; the reply carries the bot's answers and the conversation's state."""
    text = validate_text(body.text, max_chars=services.settings.max_message_chars)
    return await handle_customer_message(session, conversation, text, rasa=services.rasa, languages=services.languages)
