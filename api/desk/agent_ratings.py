"""The customer's rating of the agent who helped them: asked for when the agent lets go of the chat, one per handoff.

The answer comes to the api (PUT /api/conversations/{id}/handoffs/{handoff_id}/rating), never through Rasa: the chat may
be closed, and Rasa was paused while the agent had it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.chat.live_events import publish_messages, publish_rating
from api.chat.system_messages import add_system_message
from api.domain_errors import Conflict, NotFound
from api.infra.realtime import Hub
from api.storage.models import Conversation, Handoff, Message, Rating, utcnow

SCORES = range(1, 6)


def ask_for_rating(session: AsyncSession, conversation: Conversation, handoff: Handoff, agent_name: str) -> Message:
    """The question with 1-5 buttons as the bot's own rating has them (the widget draws both alike), carrying the handoff
    so that the press is attributed to this agent (not committed). An agent without a name is "our colleague"."""
    name = agent_name.strip()
    return add_system_message(session, conversation, "rate_agent" if name else "rate_colleague", agent=name,
                              data={"rate_handoff": handoff.id}, buttons=[{"title": str(score), "payload": str(score)} for score in SCORES])


async def _rateable(session: AsyncSession, conversation_id: str, handoff_id: int) -> Handoff:
    """The handoff, if it is this conversation's and an agent has finished it: only then is there someone's help to rate."""
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None or handoff.conversation_id != conversation_id:
        raise NotFound(f"this conversation has no handoff {handoff_id}")
    if handoff.agent_id is None or handoff.ended_at is None:
        raise Conflict("no colleague has finished helping with this request: it can be rated once they close the chat or hand it back")
    return handoff


async def rate_agent(session: AsyncSession, hub: Hub, conversation: Conversation, handoff_id: int, score: int,
                     comment: str | None) -> Message | None:
    """Store the customer's score (and comment) of the agent who ended the handoff (committed), then tell the customer's
    tabs the thanks and the rated agent's consoles the rating (`publish_rating`). The thanks, if the press earned one."""
    handoff, rating, thanks = await _store(session, conversation, handoff_id, score, comment)
    if thanks is not None:
        await publish_messages(session, hub, conversation, [thanks])
    if handoff.agent_id is not None:  # always so for a rateable handoff; typed as nullable for the waiting ones
        publish_rating(hub, rating, handoff.agent_id)
    return thanks


async def _store(session: AsyncSession, conversation: Conversation, handoff_id: int, score: int,
                 comment: str | None) -> tuple[Handoff, Rating, Message | None]:
    """A second press changes the rating rather than adding one, so an agent's figures count each customer once; the
    widget sends its comment that way too, after the score. Thanked for: the first press, and a comment added later (in
    the bot's words for a comment on its own rating); a changed score is not."""
    handoff = await _rateable(session, conversation.id, handoff_id)
    rating = await session.scalar(select(Rating).where(Rating.handoff_id == handoff.id))
    comment = (comment or "").strip() or None  # blank words are no comment: they do not wipe an earlier one
    thanks = None
    if rating is None:
        rating = Rating(conversation_id=conversation.id, handoff_id=handoff.id, score=score, comment=comment)
        session.add(rating)
        thanks = add_system_message(session, conversation, "rating_saved")
    else:
        if comment is not None and comment != rating.comment:
            thanks = add_system_message(session, conversation, "comment_saved")
        rating.score, rating.created_at = score, utcnow()
        rating.comment = comment if comment is not None else rating.comment
    try:
        await session.commit()
    except IntegrityError:  # another tab's first press was stored a moment earlier: this one changes it
        await session.rollback()
        await session.refresh(conversation)  # a rollback expires it, and an async session cannot load it lazily
        return await _store(session, conversation, handoff_id, score, comment)
    return handoff, rating, thanks
