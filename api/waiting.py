"""A customer waiting for a person is heard, not met with silence: the queue's agents read every message, the FAQ
answers what it surely can, an e-mail address (once asked for) files a ticket, and saying "back to the bot" leaves
the queue; anything else is told where they stand. Rasa paused itself at the handoff, so the api answers here, with
Rasa's NLU only reading what the message is."""
from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from actions.knowledge_answer import decision_record, source_of
from api.errors import Conflict, RasaUnavailable
from api.handoffs import back_to_bot, leave_contact, publish_messages, waiting_notice
from api.models import Conversation, Message, Sender
from knowledge import KnowledgeBase

if TYPE_CHECKING:
    from api.deps import Services

BACK_TO_BOT = "back_to_bot"
QUESTIONS = frozenset({"product_question", "out_of_scope", "nlu_fallback"})  # intents the bot answers from the knowledge base


async def while_waiting(session: AsyncSession, services: Services, conversation: Conversation, message: Message) -> list[Message]:
    """The replies (stored and published) to a stored customer message while the chat waits for a person."""
    filed = await leave_contact(session, services, conversation, message)
    if filed is not None:
        return filed
    intent = await _intent(services, message)
    if intent == BACK_TO_BOT:
        with contextlib.suppress(Conflict, RasaUnavailable):  # taken meanwhile, or Rasa down: they keep their place
            _, notice = await back_to_bot(session, services, conversation.id)
            return [notice]
    if intent in QUESTIONS and (answer := await faq_answer(services.knowledge, message)) is not None:
        session.add(answer)
        await session.commit()
        await publish_messages(session, services.hub, conversation, [answer])
        return [answer]
    return [await waiting_notice(session, services, conversation)]


async def _intent(services: Services, message: Message) -> str | None:
    """What the message is by Rasa's NLU (a pressed button's payload says it itself); None when Rasa cannot be asked."""
    try:
        return await services.rasa.intent((message.payload or {}).get("button") or message.text)
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
                   payload={"source": source_of(best), "knowledge": decision_record(message.text, language, decision)})
