"""What the back office learns from the conversations: analytics, and the questions the bot did not answer well.

Everything is computed from the api's own tables (conversations, messages with the bot's search decisions,
handoffs, ratings) for a period, in Python: a shop's month of chats is thousands of rows, not millions.
"""
from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.storage.models import Agent, Conversation, Handoff, Message, Rating, Sender, as_utc
from api.web.schemas import AgentFigures, Analytics, DayFigures, LanguageFigures, UnansweredGroup, WaitingTimes
from contracts.decisions import DecisionAction
from contracts.languages import DEFAULT_LANGUAGE
from contracts.payloads import BotPayload
from knowledge.entry_ids import new_entry_id
from knowledge.lexical import fold

# Why a question is listed: the bot had no answer, only offered choices, found it outside the shop's topics,
# answered unsure, or the answer did not help.
NO_ANSWER, CLARIFIED, OUT_OF_SCOPE = "no_answer", "clarify", "out_of_scope"
LOW_CONFIDENCE, HANDED_OVER, BAD_RATING = "low_confidence", "handoff", "bad_rating"


@dataclass(frozen=True)
class Period:
    """The conversations started in [since, until), optionally in one language, in which the customer wrote.

    Analytics, the back office and the CSV exports all count by `conversations()`, so their numbers agree.
    """

    since: datetime
    until: datetime
    language: str | None = None

    def conversations(self) -> list[ColumnElement[bool]]:
        """Filter clauses on Conversation. An opened widget is not a chat: the customer must have written at least once
        (or the conversation was erased, so it had messages)."""
        written = aliased(Message)
        wrote = or_(exists().where(written.conversation_id == Conversation.id, written.sender == Sender.customer).correlate(Conversation),
                    Conversation.erased_at.is_not(None))
        clauses = [Conversation.created_at >= self.since, Conversation.created_at < self.until, wrote]
        if self.language:
            clauses.append(Conversation.language == self.language)
        return clauses


@dataclass(frozen=True)
class AskedQuestion:
    """One customer question the bot searched for, with what it decided."""

    conversation_id: str
    language: str
    text: str
    decision: DecisionAction
    margin: float
    entries: list[str]
    source_title: str | None
    asked_at: datetime


async def asked_questions(session: AsyncSession, period: Period, *, newest: int | None = None) -> list[AskedQuestion]:
    """The bot's search decisions, which the api stored with its replies (`payload.knowledge`), oldest first, or only the
    `newest` of them: a year of a busy shop's replies is a hundred thousand rows, 6 s to read and parse."""
    query = (select(Message.conversation_id, Message.payload, Message.language, Message.created_at)
             .join(Conversation, Message.conversation_id == Conversation.id)
             .where(Message.sender == Sender.bot, Message.payload.is_not(None), *period.conversations()))
    rows = list(await session.execute(query.order_by(Message.id) if newest is None else query.order_by(Message.id.desc()).limit(newest)))
    if newest is not None:
        rows.reverse()
    asked = []
    for conversation_id, stored, language, created_at in rows:
        payload = BotPayload.from_json(stored)
        record = payload.knowledge
        if record is None or not record.query:  # a pressed choice whose entry is gone asked nothing the list could show
            continue
        asked.append(AskedQuestion(conversation_id, record.language or language or DEFAULT_LANGUAGE, record.query, record.decision, record.margin,
                                   list(record.entries), payload.source.title if payload.source else None, as_utc(created_at)))
    return asked


async def _ratings(session: AsyncSession, period: Period) -> dict[str, Rating]:
    """The last rating of the bot's help in each conversation (a customer may change their mind). An agent's rating is
    of a person, not of the bot's answers: it is counted per agent (`agent_figures`), not here."""
    rows = await session.scalars(select(Rating).join(Conversation, Rating.conversation_id == Conversation.id)
                                 .where(Rating.handoff_id.is_(None), *period.conversations()).order_by(Rating.id))
    return {rating.conversation_id: rating for rating in rows}


async def agent_figures(session: AsyncSession, period: Period) -> list[AgentFigures]:
    """Each agent's ratings from the customers they helped in the period's conversations, the most rated first."""
    rows = await session.execute(select(Agent.id, Agent.name, Rating.score).join(Handoff, Rating.handoff_id == Handoff.id)
                                 .join(Agent, Agent.id == Handoff.agent_id).join(Conversation, Rating.conversation_id == Conversation.id)
                                 .where(*period.conversations()))
    names: dict[int, str] = {}
    scores: dict[int, list[int]] = defaultdict(list)
    for agent_id, name, score in rows:
        names[agent_id] = name
        scores[agent_id].append(score)
    figures = [AgentFigures(agent_id=agent_id, agent=names[agent_id], ratings=len(given), mean_rating=_mean(given), csat=_csat(given))
               for agent_id, given in scores.items()]
    return sorted(figures, key=lambda f: (-f.ratings, f.agent))


async def _handoffs(session: AsyncSession, period: Period) -> dict[str, list[Handoff]]:
    rows = await session.scalars(select(Handoff).join(Conversation, Handoff.conversation_id == Conversation.id)
                                 .where(*period.conversations()).order_by(Handoff.id))
    by_conversation: dict[str, list[Handoff]] = defaultdict(list)
    for handoff in rows:
        by_conversation[handoff.conversation_id].append(handoff)
    return by_conversation


def _why_listed(question: AskedQuestion, *, low_margin: float, handed_over: set[str], bad_ratings: set[str]) -> str | None:
    if question.decision in (NO_ANSWER, CLARIFIED, OUT_OF_SCOPE):
        return question.decision
    if question.margin < low_margin:
        return LOW_CONFIDENCE
    if question.conversation_id in handed_over:
        return HANDED_OVER
    if question.conversation_id in bad_ratings:
        return BAD_RATING
    return None


READ_PER_WORDING = 20  # decisions read per wording the cap allows: repeats, and the answered ones that are not listed


@dataclass(frozen=True)
class Grouped:
    """The groups, and how many listed questions they are drawn from: at most `cap` distinct ones, the most recent."""

    groups: list[UnansweredGroup]
    listed: int
    grouped: int


def group_questions(questions: list[AskedQuestion], reasons: list[str], embed: Callable[[list[str]], np.ndarray], *, distance: float,
                    cap: int, examples: int = 5) -> Grouped:
    """Questions that mean the same, in any language, grouped by their e5 embeddings (average-linkage clustering).

    Clustering needs memory in the square of its input (8,000 questions took 668 MB), so the same wording counts
    once and only the `cap` most recently asked wordings are clustered; each group still counts every question in it.
    """
    by_wording: dict[str, list[int]] = defaultdict(list)
    for i in sorted(range(len(questions)), key=lambda i: questions[i].asked_at, reverse=True):
        by_wording[" ".join(fold(questions[i].text).split())].append(i)
    wordings = list(by_wording.values())[:cap]
    if not wordings:
        return Grouped([], len(questions), 0)
    vectors = embed([questions[members[0]].text for members in wordings])
    if len(wordings) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        from sklearn.cluster import AgglomerativeClustering  # here, where the back office asks: the api at rest does without it

        labels = AgglomerativeClustering(n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average").fit_predict(vectors)
    groups = []
    for label in np.unique(labels):
        distinct = np.flatnonzero(labels == label)
        centroid = vectors[distinct].mean(axis=0)
        typical = distinct[np.argsort(-(vectors[distinct] @ centroid))]  # the most typical phrasing first
        ordered = [i for w in typical for i in wordings[w]]
        texts = list(dict.fromkeys(questions[i].text for i in ordered))
        by_language: dict[str, dict[str, None]] = defaultdict(dict)  # insertion-ordered sets: a group may hold thousands
        for i in ordered:
            by_language[questions[i].language][questions[i].text] = None
        groups.append(UnansweredGroup(
            size=len(ordered), question=texts[0], examples=texts[:examples],
            languages=dict(Counter(questions[i].language for i in ordered)), reasons=dict(Counter(reasons[i] for i in ordered)),
            phrasings={lang: list(texts) for lang, texts in by_language.items()}, last_asked=max(questions[i].asked_at for i in ordered),
            near_entries=[entry for entry, _ in Counter(e for i in ordered for e in questions[i].entries[:1]).most_common(3)],
            conversation_ids=list(dict.fromkeys(questions[i].conversation_id for i in ordered))[:examples]))
    return Grouped(sorted(groups, key=lambda g: (-g.size, -g.last_asked.timestamp())), len(questions), sum(len(w) for w in wordings))


async def unanswered(session: AsyncSession, period: Period, embed: Callable[[list[str]], np.ndarray], *, low_margin: float, distance: float,
                     cap: int) -> Grouped:
    """Questions the bot could not answer, answered unsure, or whose answer was followed by a handoff or a bad rating,
    among the newest decisions: `READ_PER_WORDING` for each wording that may be grouped."""
    questions = await asked_questions(session, period, newest=cap * READ_PER_WORDING)
    handed_over = set(await _handoffs(session, period))
    bad_ratings = {cid for cid, rating in (await _ratings(session, period)).items() if rating.score <= 2}
    listed = [(q, why) for q in questions if (why := _why_listed(q, low_margin=low_margin, handed_over=handed_over, bad_ratings=bad_ratings))]
    # Embedding and clustering are CPU work: keep the event loop free for the chats.
    return await asyncio.to_thread(group_questions, [q for q, _ in listed], [why for _, why in listed], embed, distance=distance, cap=cap)


# Customers greet; FAQ questions do not: a draft's id starts after the greeting ("labdien-cik-maksa-piegade-uz" was one).
_GREETING = re.compile(r"^\W*(dobry den|dobry vecer|dobre rano|ahoj|zdravim|dzien dobry|dobry wieczor|czesc|witam|labdien|labrit|labvakar|sveiki|"
                       r"hello|hi|hey|good (morning|afternoon|evening))\b[\W_]*")


def with_suggestions(groups: list[UnansweredGroup], file_of_entry: Mapping[str, str]) -> list[UnansweredGroup]:
    """Where a draft from each group goes, and its id: the FAQ file of the entry the search came closest with (the first
    file was a poor default: a group about delivery prices drafted into `account.yml`), and the typical question's slug."""
    taken = set(file_of_entry)
    suggested = []
    for group in groups:
        question = (group.phrasings.get("en") or [group.question])[0]
        entry_id = new_entry_id(_GREETING.sub("", fold(question)) or question, taken)
        taken.add(entry_id)
        suggested.append(group.model_copy(update={
            "suggested_file": next((file_of_entry[e] for e in group.near_entries if e in file_of_entry), None), "suggested_id": entry_id}))
    return suggested


def missing_topics(groups: list[UnansweredGroup], decide: Callable[[str, str], str], *, top: int = 10) -> list[UnansweredGroup]:
    """The largest groups the content does not cover now: asked again, the search neither answers nor offers choices.
    A group the bot only answered unsure, or that an editor has covered since, is not a missing topic."""
    missing = []
    for group in groups[:3 * top]:  # each is searched again: the largest groups are the ones worth it
        language = max(group.languages, key=lambda lang: group.languages[lang])
        if decide(group.phrasings.get(language, [group.question])[0], language) == "no_answer":
            missing.append(group)
            if len(missing) == top:
                break
    return missing


async def data_version(session: AsyncSession) -> tuple[int | None, ...]:
    """Changes whenever a message, rating or handoff is added: a cached report older than that is stale. Each table is
    read on its own (one query over all three is their cross product: empty without a rating, huge with many)."""
    latest = [select(func.max(table.id)).scalar_subquery() for table in (Message, Rating, Handoff)]
    return tuple((await session.execute(select(*latest))).one())


class ReportCache:
    """Recent reports by what they were computed from, for a short while: an editor paging through unanswered
    questions, or the analytics tab opened after them, must not cluster thousands of questions again."""

    def __init__(self, *, seconds: float = 60.0, size: int = 32) -> None:
        self.seconds = seconds
        self.size = size
        self._reports: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable) -> Any | None:
        found = self._reports.get(key)
        if found is None or time.monotonic() - found[0] > self.seconds:
            return None
        return found[1]

    def put(self, key: Hashable, report: Any) -> None:
        if len(self._reports) >= self.size:
            self._reports.pop(min(self._reports, key=lambda k: self._reports[k][0]))
        self._reports[key] = (time.monotonic(), report)


def _waiting(handoffs: list[Handoff]) -> WaitingTimes:
    """How long customers waited for a person: only handoffs an agent took; the others are counted apart."""
    waits = sorted((as_utc(h.taken_at) - as_utc(h.requested_at)).total_seconds() for h in handoffs if h.taken_at)
    untaken = sum(1 for h in handoffs if h.taken_at is None)
    if not waits:
        return WaitingTimes(taken=0, not_taken=untaken)
    p90 = waits[min(len(waits) - 1, round(0.9 * (len(waits) - 1)))]
    return WaitingTimes(taken=len(waits), not_taken=untaken, median_seconds=statistics.median(waits), p90_seconds=p90,
                        mean_seconds=statistics.fmean(waits))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _csat(scores: list[int]) -> float | None:
    """Customer satisfaction as support teams report it: the share of 4 and 5 ratings."""
    return _share(sum(1 for s in scores if s >= 4), len(scores))


def _mean(scores: list[int]) -> float | None:
    return round(statistics.fmean(scores), 2) if scores else None


async def analytics(session: AsyncSession, period: Period, *, top: int = 10) -> Analytics:
    """The figures a support lead looks at, for the period and per language."""
    conversations = list(await session.scalars(select(Conversation).where(*period.conversations()).order_by(Conversation.created_at)))
    handoffs = await _handoffs(session, period)
    ratings = await _ratings(session, period)
    questions = await asked_questions(session, period)

    per_day: dict[date, list[Conversation]] = defaultdict(list)
    per_language: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        per_day[as_utc(conversation.created_at).date()].append(conversation)
        per_language[conversation.language or "unknown"].append(conversation)

    def day_figures(day: date, group: list[Conversation]) -> DayFigures:
        scores = [ratings[c.id].score for c in group if c.id in ratings]
        return DayFigures(day=day, conversations=len(group), handed_over=sum(1 for c in group if c.id in handoffs),
                          ratings=len(scores), csat=_csat(scores))

    def language_figures(group: list[Conversation]) -> LanguageFigures:
        ids = {c.id for c in group}
        own_handoffs = [h for cid in ids for h in handoffs.get(cid, [])]
        scores = [ratings[cid].score for cid in ids if cid in ratings]
        own_questions = [q for q in questions if q.conversation_id in ids]
        return LanguageFigures(
            conversations=len(group), resolved_by_bot=_share(sum(1 for cid in ids if cid not in handoffs), len(group)),
            handoff_rate=_share(sum(1 for cid in ids if cid in handoffs), len(group)),
            handoff_reasons=dict(Counter(h.reason for h in own_handoffs)), waiting=_waiting(own_handoffs),
            ratings=len(scores), mean_rating=_mean(scores), csat=_csat(scores),
            questions=len(own_questions), answered=sum(1 for q in own_questions if q.decision == "answer"),
            top_questions=_top_answered(own_questions, top))

    return Analytics(since=period.since, until=period.until, language=period.language,
                     days=[day_figures(day, group) for day, group in sorted(per_day.items())],
                     total=language_figures(conversations),
                     languages={lang: language_figures(group) for lang, group in sorted(per_language.items())},
                     agents=await agent_figures(session, period))


def _top_answered(questions: list[AskedQuestion], top: int) -> list[dict[str, Any]]:
    """The entries the bot answered with most often: what customers ask about."""
    counts = Counter(q.entries[0] for q in questions if q.decision == "answer" and q.entries)
    titles = {q.entries[0]: q.source_title for q in questions if q.decision == "answer" and q.entries and q.source_title}
    return [{"entry_id": entry_id, "title": titles.get(entry_id), "count": count} for entry_id, count in counts.most_common(top)]
