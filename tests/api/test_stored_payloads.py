"""Rows older code stored, and odd ones, still load at every place that reads a message's payload: the transcript, the
reply list, the CSV export and the back office's questions (contracts/payloads.py reads them, tolerant)."""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from api.chat.transcripts import as_reply, messages_after
from api.office.export import messages_csv
from api.office.insights import Period, asked_questions
from api.storage.models import Conversation, ConversationState, Message, Sender
from api.web.schemas import MessageOut, Reply
from contracts.decisions import DecisionAction

STARTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERIOD = Period(since=STARTED - timedelta(hours=1), until=STARTED + timedelta(hours=1))
SOURCE = {"id": "delivery-cost", "title": "Kolik stojí doprava?"}  # no score, language or link: the first sources had none
STORED: list[tuple[Sender, str, dict[str, Any] | None]] = [
    (Sender.customer, "Kolik stojí doprava?", {"client_id": 7, "button": None}),
    (Sender.bot, "Doprava stojí 89 Kč.", {"source": SOURCE, "knowledge": {"query": "Kolik stojí doprava?", "decision": "answer"}}),
    (Sender.bot, "Nevím.", {"source": "delivery-cost", "buttons": "A", "custom": ["x"], "knowledge": {"query": "kde je balík", "decision": "maybe"}}),
    (Sender.system, "Jak vám kolega pomohl?", {"custom": {"rate_handoff": 3}, "buttons": [{"title": "1", "payload": "1"}]}),
]


async def _stored(sessions) -> tuple[list[MessageOut], list[Reply], str, list[tuple[str, DecisionAction, str | None]]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        conversation = Conversation(token_hash="x" * 64, language="cs", state=ConversationState.bot, created_at=STARTED)
        session.add(conversation)
        await session.flush()
        messages = [Message(conversation_id=conversation.id, sender=sender, text=text, language="cs", payload=payload, created_at=STARTED)
                    for sender, text, payload in STORED]
        session.add_all(messages)
        await session.commit()
    async with sessions() as session:
        transcript = await messages_after(session, conversation.id)
        replies = [as_reply(m) for m in messages if m.sender is not Sender.customer]
        asked = [(q.text, q.decision, q.source_title) for q in await asked_questions(session, PERIOD)]
        return transcript, replies, await messages_csv(session, PERIOD), asked


def test_old_and_odd_payloads_load_everywhere_they_are_read(sessions) -> None:  # type: ignore[no-untyped-def]
    transcript, replies, exported, asked = asyncio.run(_stored(sessions))
    assert [(m.source.id if m.source else None, m.buttons, m.data) for m in transcript] == [
        (None, [], {}), ("delivery-cost", [], {}), (None, [], {}), (None, [{"title": "1", "payload": "1"}], {"rate_handoff": 3})]
    assert transcript[1].source is not None and (transcript[1].source.title, transcript[1].source.score) == ("Kolik stojí doprava?", 0.0)
    assert [(r.source.id if r.source else None, r.data) for r in replies] == [("delivery-cost", {}), (None, {}), (None, {"rate_handoff": 3})]
    rows = [(row["source_entry"], row["bot_decision"]) for row in csv.DictReader(io.StringIO(exported))]
    assert rows == [("", ""), ("delivery-cost", "answer"), ("", ""), ("", "")]
    # a decision no version wrote is left out of the back office's figures (logged), not counted under a made-up name
    assert asked == [("Kolik stojí doprava?", "answer", "Kolik stojí doprava?")]
