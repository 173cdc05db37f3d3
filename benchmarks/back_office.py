"""The back office's unanswered-question groups: how coherent they are, and their cost at a busy shop's volume.

Coherence: labelled customer questions (the demo shop's and the evaluation shops', each labelled with the entry that
answers it; out-of-scope ones each on their own) are grouped as the back office groups them. Purity is the share of
questions that sit in a group whose majority label is their own (a group mixing delivery prices, returns and football
scores low); completeness the share that sit with the most of their label's questions (one meaning split into many
small groups scores low). The distance before this was chosen by eye; now on the demo shop's questions only.

Cost:
Seeds a real SQLite database with N conversations, each with one customer question the bot did not answer (texts from
the evaluation shops' questions, half of them made distinct by an order number, as customers write them), then times
what `GET /api/back-office/unanswered` does: read the period's decisions, pick the listed questions, embed and cluster
them. Side by side in one run: every listed question clustered (as before issue #21 item 3, only where it fits in
memory) against the cap of the most recent distinct wordings, cold (nothing embedded yet), warm (the questions were
asked in this process, so the search remembers their vectors) and from the report cache.

    .venv/bin/python -m benchmarks.back_office [--sizes 2000,100000] [--no-write]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.office.insights import AskedQuestion, Period, ReportCache, data_version, group_questions, unanswered
from api.settings import ROOT, Settings
from api.storage.db import make_engine, make_sessionmaker, migrate
from api.storage.models import Conversation, Message, Sender
from benchmarks.report import replace_section
from contracts.decisions import DecisionRecord
from contracts.payloads import BotPayload
from knowledge.embedder import Embedder
from knowledge.search import KnowledgeBase
from knowledge.settings import knowledge_base

NOW = datetime.now(UTC)
UNCAPPED_UP_TO = 4000  # beyond this, clustering every question needs gigabytes (issue #21: 8,000 took 668 MB)


def question_pool() -> list[tuple[str, str]]:
    """Customer questions in four languages from the evaluation shops (never training data)."""
    pool = []
    for path in sorted((ROOT / "benchmarks" / "shops").glob("*/questions.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["questions"]:
            pool += [(text, lang) for lang in ("cs", "pl", "lv", "en") for text in item.get(lang, [])]
        pool += [(text, lang) for lang, texts in (data.get("out_of_scope") or {}).items() for text in texts]
    return pool


DISTANCE_BEFORE = 0.17


def labelled_questions(path: Path) -> list[tuple[str, str]]:
    """(text, label) for every question of an evaluation file; each out-of-scope question is a label of its own."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = [(text, item["entry"]) for item in data["questions"] for lang in ("cs", "pl", "lv", "en") for text in item.get(lang, [])]
    return found + [(text, f"out-of-scope {lang} {i}") for lang, texts in (data.get("out_of_scope") or {}).items() for i, text in enumerate(texts)]


def coherence(labels: list[str], groups: list[int]) -> str:
    members: dict[int, list[str]] = defaultdict(list)
    placed: dict[str, list[int]] = defaultdict(list)
    for label, group in zip(labels, groups):
        members[group].append(label)
        placed[label].append(group)
    purity = sum(Counter(m).most_common(1)[0][1] for m in members.values()) / len(labels)
    completeness = sum(Counter(g).most_common(1)[0][1] for g in placed.values()) / len(labels)
    large = [m for m in members.values() if len(m) >= 5]
    mixed = sum(Counter(m).most_common(1)[0][1] < 0.8 * len(m) for m in large)
    return f"{purity:.2f} / {completeness:.2f} / {mixed} of {len(large)}"


def grouped_as(asked: list[AskedQuestion], embedder: Embedder, distance: float) -> list[int]:
    """The group number of each question, as the back office groups them."""
    grouped = group_questions(asked, ["no_answer"] * len(asked), embedder.embed_queries, distance=distance, cap=len(asked), examples=len(asked))
    group_of = {cid: n for n, group in enumerate(grouped.groups) for cid in group.conversation_ids}
    return [group_of[q.conversation_id] for q in asked]


def grouping_coherence(embedder: Embedder, distance: float) -> list[tuple[str, str, str]]:
    """Purity and completeness of the groups per labelled set, at the old distance and the current one."""
    files = {"demo (knowledge/)": ROOT / "benchmarks" / "data" / "retrieval_eval.yml"}
    files |= {path.parent.name: path for path in sorted((ROOT / "benchmarks" / "shops").glob("*/questions.yml"))}
    rows = []
    for name, path in files.items():
        questions = labelled_questions(path)
        asked = [AskedQuestion(str(i), "en", text, "no_answer", 0.0, [], None, NOW - timedelta(seconds=i)) for i, (text, _) in enumerate(questions)]
        labels = [label for _, label in questions]
        rows.append((f"{name} ({len(questions)})", coherence(labels, grouped_as(asked, embedder, DISTANCE_BEFORE)),
                     coherence(labels, grouped_as(asked, embedder, distance))))
    return rows


async def seed(sessions: async_sessionmaker[AsyncSession], count: int, pool: list[tuple[str, str]]) -> None:
    """`count` conversations over the last 30 days, each with one question the bot answered with no answer."""
    rng = random.Random(7)
    batch = 5000
    for start in range(0, count, batch):
        conversations: list[dict[str, Any]] = []
        messages: list[dict[str, Any]] = []
        for n in range(start, min(count, start + batch)):
            text, lang = rng.choice(pool)
            if rng.random() < 0.5:
                text = f"{text} (#{100000 + n})"
            cid = f"{n:032x}"
            when = NOW - timedelta(seconds=rng.randrange(30 * 86400))
            conversations.append({"id": cid, "token_hash": "x" * 64, "language": lang, "created_at": when, "updated_at": when})
            stored = BotPayload(knowledge=DecisionRecord(query=text, decision="no_answer", language=lang)).to_json()
            messages += [{"conversation_id": cid, "sender": Sender.customer, "text": text, "language": lang, "created_at": when},
                         {"conversation_id": cid, "sender": Sender.bot, "text": "…", "language": lang, "payload": stored, "created_at": when}]
        async with sessions() as session:
            await session.execute(insert(Conversation), conversations)
            await session.execute(insert(Message), messages)
            await session.commit()


async def timed(sessions: async_sessionmaker[AsyncSession], kb: KnowledgeBase, settings: Settings, cap: int,
                cache: ReportCache | None = None) -> tuple[float, float, int]:
    """Seconds and peak MB (Python allocations) of one request's work, and how many questions it grouped."""
    period = Period(since=NOW - timedelta(days=31), until=NOW + timedelta(seconds=1))
    tracemalloc.start()
    started = time.perf_counter()
    async with sessions() as session:
        key = (cap, await data_version(session))
        grouped = cache.get(key) if cache else None
        if grouped is None:
            grouped = await unanswered(session, period, kb.embed_queries, low_margin=settings.low_confidence_margin,
                                       distance=settings.unanswered_group_distance, cap=cap)
            if cache:
                cache.put(key, grouped)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, grouped.grouped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,100000", help="unanswered questions seeded, comma-separated")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md as it is")
    args = parser.parse_args()
    settings = Settings()
    embedder = knowledge_base(settings).embedder
    coherent = [f"| {name} | {before} | {now} |" for name, before, now in grouping_coherence(embedder, settings.unanswered_group_distance)]
    print("\n".join(coherent), flush=True)
    pool = question_pool()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            migrate(url)
            engine = make_engine(url)
            sessions = make_sessionmaker(engine)
            asyncio.run(seed(sessions, size, pool))
            cap = settings.unanswered_group_cap
            runs = []
            if size <= UNCAPPED_UP_TO:
                kb = knowledge_base(settings)
                runs.append(("every wording, no cap (before)", *asyncio.run(timed(sessions, kb, settings, cap=size))))
            kb = knowledge_base(settings)  # nothing remembered: cold
            runs.append((f"cap {cap}, cold", *asyncio.run(timed(sessions, kb, settings, cap=cap))))
            runs.append((f"cap {cap}, warm", *asyncio.run(timed(sessions, kb, settings, cap=cap))))
            cache = ReportCache()
            asyncio.run(timed(sessions, kb, settings, cap=cap, cache=cache))
            runs.append((f"cap {cap}, cached report", *asyncio.run(timed(sessions, kb, settings, cap=cap, cache=cache))))
            asyncio.run(engine.dispose())
        for name, seconds, mb, grouped in runs:
            rows.append(f"| {size:,} | {name} | {grouped:,} | {seconds:.2f} | {mb:.0f} |")
            print(rows[-1], flush=True)
    table = [(f"Coherence of the groups: purity / completeness / groups of 5 or more with under 80 % of one label, at the distance before "
              f"({DISTANCE_BEFORE}) and now ({settings.unanswered_group_distance}, `SHOPBOT_UNANSWERED_GROUP_DISTANCE`)."), "",
             "| questions | before | now |", "| --- | --- | --- |", *coherent, "",
             "Cost of one request's work, in-process against a seeded SQLite database (SQL, listing, embedding, clustering):", "",
             "| unanswered questions | how | grouped | seconds | peak MB (Python) |", "| --- | --- | --- | --- | --- |", *rows]
    if not args.no_write:
        replace_section(ROOT / "docs" / "benchmarks.md", "back office", "\n".join(table), command="make bench-back-office")


if __name__ == "__main__":
    main()
