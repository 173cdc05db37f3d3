"""Reading conversations back: the customer's catch-up, the agent's transcript, handoff note and the customer's ratings."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actions.contact_details import find_email
from api.desk.queue import open_handoff, queue_position
from api.storage.models import (
    Agent,
    Conversation,
    ConversationState,
    Handoff,
    Message,
    Rating,
    Sender,
    Ticket,
    TicketKind,
    TicketStatus,
    as_utc,
)
from api.web.schemas import ContactTicket, ConversationDetail, HandoffNote, MessageOut, QueueItem, RatingOut, Reply
from contracts.payloads import BotPayload, CustomerPayload


async def _agent_names(session: AsyncSession) -> dict[int, str]:
    return {agent_id: name for agent_id, name in (await session.execute(select(Agent.id, Agent.name))).all()}


def message_out(message: Message, names: dict[int, str]) -> MessageOut:
    shown, attachment = BotPayload.from_json(message.payload), CustomerPayload.from_json(message.payload).attachment
    return MessageOut(id=message.id, sender=message.sender.value, text=message.text, language=message.language, created_at=message.created_at,
                      source=shown.source.to_json() if shown.source else None, buttons=shown.buttons, data=shown.data,
                      agent=names.get(message.agent_id) if message.agent_id else None, attachment=attachment.to_json() if attachment else None)


def as_reply(message: Message) -> Reply:
    """A stored message as the reply list of a request shows it."""
    payload = BotPayload.from_json(message.payload)
    return Reply(sender=message.sender.value, text=message.text, source=payload.source.to_json() if payload.source else None, buttons=payload.buttons,
                 data=payload.data)


async def stored_messages(session: AsyncSession, conversation_id: str, after: int = 0) -> tuple[list[Message], dict[int, str]]:
    """The conversation's messages with a larger id than `after`, oldest first, and the names of the agents who wrote."""
    rows = await session.scalars(select(Message).where(Message.conversation_id == conversation_id, Message.id > after).order_by(Message.id))
    return list(rows), await _agent_names(session)


async def messages_after(session: AsyncSession, conversation_id: str, after: int = 0) -> list[MessageOut]:
    messages, names = await stored_messages(session, conversation_id, after)
    return [message_out(m, names) for m in messages]


async def contact_ticket(session: AsyncSession, conversation_id: str, *, reply_hours: int) -> ContactTicket | None:
    """The latest e-mail ticket the chat left that nobody has answered yet, as the customer's widget shows it."""
    ticket = await session.scalar(select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.kind == TicketKind.contact,
                                                       Ticket.status == TicketStatus.open).order_by(Ticket.id.desc()).limit(1))
    if ticket is None or ticket.number is None or ticket.email is None:  # numbered since e-mail tickets are shown
        return None
    return ContactTicket(number=ticket.number, email=ticket.email, reply_hours=reply_hours)


async def handoff_note(session: AsyncSession, handoff: Handoff | None) -> HandoffNote | None:
    if handoff is None:
        return None
    agent = await session.get(Agent, handoff.agent_id) if handoff.agent_id else None
    return HandoffNote(reason=handoff.reason, summary=handoff.summary, requested_at=handoff.requested_at, taken_at=handoff.taken_at,
                       agent=agent.name if agent else None)


async def conversation_detail(session: AsyncSession, conversation: Conversation) -> ConversationDetail:
    """The note first, then the whole transcript, the bot's part and its sources included."""
    handoff = await open_handoff(session, conversation.id)
    if handoff is None:  # a finished handoff still explains why a person was involved
        handoff = await session.scalar(select(Handoff).where(Handoff.conversation_id == conversation.id).order_by(Handoff.id.desc()).limit(1))
    ratings = await session.scalars(select(Rating).where(Rating.conversation_id == conversation.id, Rating.handoff_id.is_not(None)).order_by(Rating.id))
    return ConversationDetail(id=conversation.id, state=conversation.state, language=conversation.language,
                              note=await handoff_note(session, handoff), messages=await messages_after(session, conversation.id),
                              ratings=[rating_out(r) for r in ratings])


def rating_out(rating: Rating) -> RatingOut:
    return RatingOut.model_validate(rating, from_attributes=True)


async def queue_items(session: AsyncSession, *, states: tuple[ConversationState, ...]) -> list[QueueItem]:
    """Conversations with a person involved, the longest waiting first."""
    rows = (await session.execute(
        select(Conversation, Handoff).join(Handoff, Handoff.conversation_id == Conversation.id)
        .where(Conversation.state.in_(states), Handoff.ended_at.is_(None)).order_by(Handoff.requested_at, Handoff.id))).all()
    now = datetime.now(UTC)
    names = await _agent_names(session)
    items = []
    for conversation, handoff in rows:
        said = list(await session.scalars(select(Message).where(Message.conversation_id == conversation.id,
                                                                 Message.sender.in_((Sender.customer, Sender.agent))).order_by(Message.id.desc())))
        last = said[0] if said else None
        items.append(QueueItem(conversation_id=conversation.id, state=conversation.state, language=conversation.language,
                               position=await queue_position(session, conversation.id) if conversation.state is ConversationState.waiting else None,
                               waiting_seconds=(now - as_utc(handoff.requested_at)).total_seconds(), note=await handoff_note(session, handoff),
                               contact=customer_email(said), last_message=last.text if last else None,
                               last_sender=last.sender.value if last else None,
                               last_agent=names.get(last.agent_id) if last and last.agent_id else None))
    return items


def customer_email(newest_first: list[Message]) -> str | None:
    """The latest e-mail address the customer wrote: agents with several chats tell them apart by it (no names are asked)."""
    customers = (find_email(m.text) for m in newest_first if m.sender is Sender.customer)
    return next((email for email in customers if email), None)
