"""A customer waiting for a person is heard, not met with silence: the queue's agents read every message, the FAQ
answers what it surely can, an e-mail address (once asked for) files a ticket, and saying "back to the bot" leaves
the queue; anything else is told where they stand. Rasa paused itself at the handoff, so the api answers here, with
Rasa's NLU only reading what the message is."""
from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.ext.asyncio import AsyncSession

from actions.answers import decision_record, source_of
from api.chat.lifecycle import back_to_bot
from api.chat.live_events import publish_messages
from api.chat.rasa_client import RasaClient, embedded_once, text_for_rasa
from api.chat.responders import Responders
from api.chat.system_messages import add_system_message, system_text
from api.desk.contact_capture import leave_contact
from api.desk.queue import open_handoff, queue_position
from api.domain_errors import Conflict, RasaUnavailable
from api.infra.realtime import Hub
from api.storage.models import Conversation, Message, Sender
from contracts.payloads import BotPayload
from knowledge import KnowledgeBase

BACK_TO_BOT = "back_to_bot"
QUESTIONS = frozenset({"product_question", "out_of_scope", "nlu_fallback"})  # intents the bot answers from the knowledge base


async def while_waiting(session: AsyncSession, responders: Responders, conversation: Conversation, message: Message) -> list[Message]:
    """The replies (stored and published) to a stored customer message while the chat waits for a person."""
    filed = await leave_contact(session, responders.hub, responders.rasa, conversation, message, reply_hours=responders.reply_hours,
                                number_prefix=responders.contact_number_prefix)
    if filed is not None:
        return filed
    intent = await _intent(responders.rasa, responders.knowledge, message)
    if intent == BACK_TO_BOT:
        with contextlib.suppress(Conflict, RasaUnavailable):  # taken meanwhile, or Rasa down: they keep their place
            _, notice = await back_to_bot(session, responders.hub, responders.rasa, conversation.id)
            return [notice]
    if intent in QUESTIONS and (answer := await faq_answer(responders.knowledge, message)) is not None:
        session.add(answer)
        await session.commit()
        await publish_messages(session, responders.hub, conversation, [answer])
        return [answer]
    return [await waiting_notice(session, responders.hub, conversation, reply_hours=responders.reply_hours)]


async def _intent(rasa: RasaClient, knowledge: KnowledgeBase, message: Message) -> str | None:
    """What the message is by Rasa's NLU (a pressed button's payload says it itself); None when Rasa cannot be asked."""
    text = text_for_rasa(message)
    vector = await embedded_once(knowledge, text, message.language or "en")  # one e5 call: Rasa's intent component and faq_answer's search use it
    try:
        return await rasa.intent(text, vector)
    except RasaUnavailable:
        return None


async def faq_answer(knowledge: KnowledgeBase, message: Message) -> Message | None:
    """The knowledge base's answer as the bot gives it (source and decision kept), when the search is sure; else None.

    An entry written only in other languages is left to the agent: the bot would first say which language it is in.
    """
    language = message.language or "en"
    decision = await asyncio.to_thread(knowledge.decide, message.text, lang=language)
    best = decision.best
    if decision.action != "answer" or best is None or best.cross_lingual:
        return None
    return Message(conversation_id=message.conversation_id, sender=Sender.bot, text=best.answer, language=language,
                   payload=BotPayload(source=source_of(best), knowledge=decision_record(message.text, language, decision)).to_json())


async def queued_notice(session: AsyncSession, conversation: Conversation) -> Message:
    """The customer's place in the queue, said right after the bot handed them over (someone is online:
    `lifecycle.request_person`); not added to the session."""
    position = await queue_position(session, conversation.id)
    return Message(conversation_id=conversation.id, sender=Sender.system, language=conversation.language,
                   text=system_text("queued", conversation.language, position=position or 1))


async def waiting_notice(session: AsyncSession, hub: Hub, conversation: Conversation, *, reply_hours: int) -> Message:
    """What a waiting customer hears when the FAQ has no answer: the message reached the queue, and where they stand;
    once we asked for an e-mail address (a long wait, or nobody online any more), also that an address would do.
    Stored and published."""
    handoff = await open_handoff(session, conversation.id)
    position = await queue_position(session, conversation.id) or 1
    asked = handoff is not None and handoff.email_requested_at is not None
    notice = add_system_message(session, conversation, "waiting_ack_email" if asked else "waiting_ack", position=position, hours=reply_hours)
    await session.commit()
    await publish_messages(session, hub, conversation, [notice])
    return notice
