"""A customer's e-mail address instead of a person: once we asked for one (nobody online, or nobody came in time), the
address in their message files an e-mail ticket, and the chat goes (back) to the bot."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from actions.contact_details import find_email
from api.chat.lifecycle import Resumable, announce_left_queue, existing_conversation, leave_queue_for_ticket
from api.chat.live_events import publish_messages
from api.chat.system_messages import add_system_message
from api.desk.queue import open_handoff
from api.desk.tickets import add_numbered
from api.domain_errors import Conflict
from api.infra.realtime import AGENTS, Hub
from api.storage.models import Conversation, ConversationState, Handoff, Message, Ticket, TicketKind

LOOKS_LIKE_EMAIL = re.compile(r"\S@|@\S")  # a word with an @ in it, but not an address: likely a typo


async def leave_contact(session: AsyncSession, hub: Hub, rasa: Resumable, conversation: Conversation, message: Message, *,
                        reply_hours: int, number_prefix: str) -> list[Message] | None:
    """After we asked for an e-mail address, an address in the message files an e-mail ticket; a text that looks like
    a mistyped address is answered so. None when the message is not an answer to such a request: the bot or the queue
    takes it as usual."""
    handoff = await open_handoff(session, conversation.id)
    if handoff is None or handoff.email_requested_at is None:
        return None
    email = find_email(message.text)
    if email is not None:
        return await _file_contact(session, hub, rasa, conversation, handoff, email, reply_hours=reply_hours, number_prefix=number_prefix)
    if not LOOKS_LIKE_EMAIL.search(message.text):
        return None
    notice = add_system_message(session, conversation, "email_invalid")
    await session.commit()
    await publish_messages(session, hub, conversation, [notice])
    return [notice]


async def _file_contact(session: AsyncSession, hub: Hub, rasa: Resumable, conversation: Conversation, handoff: Handoff, email: str, *,
                        reply_hours: int, number_prefix: str) -> list[Message] | None:
    """The chat becomes an e-mail ticket and goes (back) to the bot: nothing is left for an agent to take, and the bot
    answers the customer's next question. None if an agent took the chat meanwhile (they read the address)."""
    was_waiting = conversation.state is ConversationState.waiting
    if was_waiting:
        try:
            await leave_queue_for_ticket(session, rasa, conversation.id)
        except Conflict:
            return None
    ticket = Ticket(conversation_id=conversation.id, kind=TicketKind.contact, language=conversation.language, email=email,
                    problem=(handoff.summary or {}).get("last_question"))
    number = await add_numbered(session, ticket, number_prefix)
    handoff.ended_at = datetime.now(UTC)
    conversation = await existing_conversation(session, conversation.id)
    notice = add_system_message(session, conversation, "ticket_filed", number=number, email=email, hours=reply_hours,
                                data={"ticket": {"number": number, "email": email, "reply_hours": reply_hours}})
    await session.commit()
    if was_waiting:
        await announce_left_queue(session, hub, conversation, notice)
    else:
        await publish_messages(session, hub, conversation, [notice])
    hub.publish(AGENTS, {"type": "tickets_changed"})
    return [notice]
