"""Back-office figures from a scripted set of conversations in a real SQLite database, grouped with the real e5 model."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.office.insights import (
    AskedQuestion,
    Period,
    analytics,
    data_version,
    group_questions,
    missing_topics,
    unanswered,
    with_suggestions,
)
from api.settings import ROOT
from api.storage.models import Conversation, ConversationState, Handoff, Message, Rating, Sender
from api.web.schemas import UnansweredGroup
from knowledge import KnowledgeBase
from knowledge.editing import FaqEditor
from knowledge.embedder import E5Embedder

DAY_1 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY_2 = DAY_1 + timedelta(days=1)


def asked(text: str, language: str, decision: str, *, entry: str = "delivery-cost", margin: float = 0.5) -> list[tuple[Sender, str, dict[str, Any] | None]]:
    """A customer question and the bot's reply carrying its search decision, as the api stores them."""
    record = {"query": text, "language": language, "decision": decision, "entries": [entry, "payment-methods"], "margin": margin, "score": 0.9}
    source = {"source": {"id": entry, "title": "Kolik stojí doprava?"}} if decision == "answer" else {}
    return [(Sender.customer, text, None), (Sender.bot, "…", {"knowledge": record, **source})]


async def add_conversation(sessions, started: datetime, language: str, messages: list, *, handoff: tuple[str, float | None] | None = None,  # type: ignore[no-untyped-def]
                           rating: int | None = None) -> str:
    async with sessions() as session:
        conversation = Conversation(token_hash="x" * 64, language=language, state=ConversationState.bot, created_at=started)
        session.add(conversation)
        await session.flush()
        for sender, text, payload in messages:
            session.add(Message(conversation_id=conversation.id, sender=sender, text=text, language=language, payload=payload, created_at=started))
        if handoff is not None:
            reason, waited = handoff
            session.add(Handoff(conversation_id=conversation.id, reason=reason, summary={}, requested_at=started,
                                taken_at=started + timedelta(seconds=waited) if waited is not None else None))
        if rating is not None:
            session.add(Rating(conversation_id=conversation.id, score=rating))
        await session.commit()
        return conversation.id


async def scripted(sessions) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Six conversations over two days, and one opened widget in which nobody wrote."""
    return {
        "answered": await add_conversation(sessions, DAY_1, "cs", asked("Kolik stojí doprava?", "cs", "answer"), rating=5),
        "ebike_pl": await add_conversation(sessions, DAY_1, "pl", asked("Czy sprzedajecie rowery elektryczne?", "pl", "no_answer"),
                                           handoff=("bot_failed", 60.0)),
        "ebike_lv": await add_conversation(sessions, DAY_1, "lv", asked("Vai jūs pārdodat elektriskos velosipēdus?", "lv", "no_answer")),
        "ebike_en": await add_conversation(sessions, DAY_2, "en", asked("Do you sell e-bikes?", "en", "clarify"), handoff=("requested", 180.0)),
        "bitcoin": await add_conversation(sessions, DAY_2, "en", asked("Can I pay with bitcoin?", "en", "answer", entry="payment-methods", margin=0.05),
                                          rating=2),
        "complaint": await add_conversation(sessions, DAY_2, "cs", [(Sender.customer, "Rozbitý kávovar", None)], handoff=("angry", None), rating=4),
        "silent": await add_conversation(sessions, DAY_2, "lv", []),
    }


PERIOD = Period(since=DAY_1 - timedelta(hours=1), until=DAY_2 + timedelta(hours=1))


async def test_analytics_match_a_scripted_set_of_conversations(sessions) -> None:  # type: ignore[no-untyped-def]
    await scripted(sessions)
    async with sessions() as session:
        figures = await analytics(session, PERIOD)
    total = figures.total
    assert total.conversations == 6  # the silent widget is not a conversation
    assert total.resolved_by_bot == pytest.approx(3 / 6) and total.handoff_rate == pytest.approx(3 / 6)
    assert total.handoff_reasons == {"bot_failed": 1, "requested": 1, "angry": 1}
    assert (total.waiting.taken, total.waiting.not_taken, total.waiting.median_seconds) == (2, 1, 120.0)
    assert (total.ratings, total.mean_rating, total.csat) == (3, pytest.approx(11 / 3, abs=0.01), pytest.approx(2 / 3, abs=0.001))
    assert (total.questions, total.answered) == (5, 2)
    assert [(d.day.isoformat(), d.conversations, d.handed_over, d.ratings) for d in figures.days] == [
        ("2026-11-02", 3, 1, 1), ("2026-11-03", 3, 2, 2)]
    assert set(figures.languages) == {"cs", "pl", "lv", "en"}
    assert figures.languages["cs"].conversations == 2 and figures.languages["cs"].csat == 1.0
    assert figures.languages["lv"].resolved_by_bot == 1.0
    assert [q["entry_id"] for q in total.top_questions] == ["delivery-cost", "payment-methods"]

    async with sessions() as session:
        czech = await analytics(session, Period(PERIOD.since, PERIOD.until, language="cs"))
    assert czech.total.conversations == 2 and set(czech.languages) == {"cs"}


async def test_the_data_version_moves_with_each_new_message_before_any_rating_or_handoff(sessions) -> None:  # type: ignore[no-untyped-def]
    """The back office's cached reports are keyed on it. Read as one query over the three tables it was their cross
    product: empty while a shop had no rating yet, so the version stayed None and a stale report was served."""
    async def version():  # type: ignore[no-untyped-def]
        async with sessions() as session:
            return await data_version(session)

    first = await version()
    await add_conversation(sessions, DAY_1, "en", asked("Do you sell e-bikes?", "en", "no_answer"))
    second = await version()
    await add_conversation(sessions, DAY_1, "en", asked("Do you sell scooters?", "en", "no_answer"))
    assert first != second != await version()
    assert second[0] is not None and second[1:] == (None, None)  # the messages counted; no rating or handoff yet


async def test_unanswered_questions_are_grouped_by_meaning_across_languages(sessions, e5: E5Embedder) -> None:  # type: ignore[no-untyped-def]
    ids = await scripted(sessions)
    async with sessions() as session:
        grouped = await unanswered(session, PERIOD, e5.embed_queries, low_margin=0.15, distance=0.17, cap=100)
    groups = grouped.groups
    assert (grouped.listed, grouped.grouped) == (4, 4)
    largest = groups[0]
    assert largest.size == 3 and largest.languages == {"pl": 1, "lv": 1, "en": 1}
    assert largest.reasons == {"no_answer": 2, "clarify": 1}
    assert set(largest.conversation_ids) == {ids["ebike_pl"], ids["ebike_lv"], ids["ebike_en"]}
    assert largest.phrasings["lv"] == ["Vai jūs pārdodat elektriskos velosipēdus?"]
    # The unsure answer with a bad rating is listed on its own; the confident, well-rated answer is not listed.
    assert [(g.question, g.reasons) for g in groups[1:]] == [("Can I pay with bitcoin?", {"low_confidence": 1})]


def _question(text: str, hours_ago: int, language: str = "en") -> AskedQuestion:
    return AskedQuestion(f"c-{text}-{hours_ago}", language, text, "no_answer", 0.0, [], None, DAY_2 - timedelta(hours=hours_ago))


def test_a_wording_asked_again_is_embedded_once_and_counted_every_time(e5: E5Embedder) -> None:
    embedded: list[str] = []

    def embed(texts: list[str]):  # type: ignore[no-untyped-def]
        embedded.extend(texts)
        return e5.embed_queries(texts)

    questions = [_question("Do you sell e-bikes?", h) for h in range(30)] + [_question("do you SELL e-bikes?", 40)]
    grouped = group_questions(questions, ["no_answer"] * len(questions), embed, distance=0.17, cap=100)
    assert embedded == ["Do you sell e-bikes?"]
    assert [g.size for g in grouped.groups] == [31] and (grouped.listed, grouped.grouped) == (31, 31)


def test_only_the_most_recent_wordings_up_to_the_cap_are_grouped(e5: E5Embedder) -> None:
    questions = [_question("Do you sell e-bikes?", 1), _question("Can I pay with bitcoin?", 2), _question("Do you ship to Norway?", 3),
                 _question("Do you sell e-bikes?", 4)]
    grouped = group_questions(questions, ["no_answer"] * 4, e5.embed_queries, distance=0.17, cap=2)
    assert {text for g in grouped.groups for text in g.examples} == {"Do you sell e-bikes?", "Can I pay with bitcoin?"}
    assert (grouped.listed, grouped.grouped) == (4, 3)


def _group(question: str, language: str, near: list[str]) -> UnansweredGroup:
    return UnansweredGroup(size=3, question=question, examples=[question], languages={language: 3}, reasons={"no_answer": 3},
                           phrasings={language: [question]}, near_entries=near, last_asked=DAY_2, conversation_ids=["c"])


def test_a_draft_goes_to_the_file_of_the_closest_entry_with_an_id_without_the_greeting() -> None:
    files = {entry.id: entry.file for entry in FaqEditor(ROOT / "knowledge").entries()}
    [group] = with_suggestions([_group("Labdien! Cik maksā piegāde uz Daugavpili?", "lv", ["no-such-entry", "delivery-cost"])], files)
    assert group.suggested_file == files["delivery-cost"] == "delivery.yml"
    assert group.suggested_id == "cik-maksa-piegade-uz-daugavpili"
    assert with_suggestions([_group("Prodáváte kola?", "cs", [])], files)[0].suggested_file is None


def test_what_the_content_covers_now_is_not_a_missing_topic(tea_kb: KnowledgeBase) -> None:
    covered, missing = _group("Kolik stojí poštovné?", "cs", ["shipping-cost"]), _group("Kdy hraje Sparta?", "cs", [])
    assert missing_topics([covered, missing], lambda text, lang: tea_kb.decide(text, lang=lang).action) == [missing]
