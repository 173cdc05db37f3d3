"""Where the api's own milliseconds go for one customer message: its database statements and commits, the language guess,
the e5 call, publishing to consoles, next to the time it waits for Rasa (issue #23, item 5).

    .venv/bin/python -m benchmarks.profile_api [--rounds 40]

Starts the real Rasa and api (`benchmarks.load.start_product`), then serves the api from this process on the same port
(Rasa's action calls reach it), so that its engine and functions can be watched; sends `benchmarks/load.py`'s
conversations one message at a time. Wall-clock milliseconds (the stages wait on threads, sockets and the disk), so
compare figures within one run on a shared machine. Rasa's own side: `benchmarks.profile_rasa`.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import httpx
from fastapi import FastAPI, Request, Response
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

import api.chat.conversations
import api.chat.live_events
from api.chat.rasa_client import RasaClient
from api.main import create_app
from benchmarks.load import LANGUAGES, SCRIPTS, start_product
from knowledge.language import LanguageGuesser
from runner.processes import Stack

MESSAGES = "messages"  # the customer's POST, webhook calls nested in it excluded
WEBHOOK = "webhook"


class Watch:
    """What the api did per request kind (sequential requests only: one customer message at a time)."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.inside = 0  # stages being clocked now: a stage inside another (publishing's query) counts for the outer one only
        self.statements: Counter[str] = Counter()
        self.stages: dict[str, float] = {}
        self.rows: list[dict[str, Any]] = []

    def statement(self, sql: str) -> None:
        if self.current is not None:
            self.statements[f"{self.current}: {sql.split(None, 1)[0].upper()}"] += 1

    def commit(self) -> None:
        if self.current is not None:
            self.statements[f"{self.current}: COMMIT"] += 1

    @contextmanager
    def stage(self, stage: str) -> Iterator[None]:
        """Wall ms of the block added to `stage` of the current message, unless another stage holds it."""
        outermost = self.inside == 0
        self.inside += 1
        started = time.perf_counter()
        try:
            yield
        finally:
            self.inside -= 1
            if outermost and self.current == MESSAGES:
                self.stages[stage] = self.stages.get(stage, 0.0) + (time.perf_counter() - started) * 1000

    def finish(self, total_ms: float) -> None:
        self.rows.append({"total": total_ms, **self.stages, **{k: float(v) for k, v in self.statements.items()}})
        self.stages, self.statements = {}, Counter()


def clock_async(watch: Watch, owner: Any, name: str, stage: str) -> None:
    """Wall ms inside `owner.name` (a coroutine function), added to `stage` of the current message."""
    original = getattr(owner, name)

    async def clocked(*args: Any, **kwargs: Any) -> Any:
        with watch.stage(stage):
            return await original(*args, **kwargs)

    setattr(owner, name, clocked)


def clock_session(watch: Watch) -> None:
    """Wall ms inside AsyncSession's statement and commit methods."""
    for name in ("execute", "scalar", "scalars", "get", "refresh", "flush"):
        clock_async(watch, AsyncSession, name, "database statements")
    clock_async(watch, AsyncSession, "commit", "database commits (with the statements they flush)")


def clock_sync(watch: Watch, owner: Any, name: str, stage: str) -> None:
    original = getattr(owner, name)

    def clocked(*args: Any, **kwargs: Any) -> Any:
        with watch.stage(stage):
            return original(*args, **kwargs)

    setattr(owner, name, clocked)


def watched_app(stack: Stack, watch: Watch) -> FastAPI:
    """The api as `make run` builds it, its requests, database statements and stages counted into `watch`."""
    app = create_app(stack.settings.model_copy(update={"watch_content": False}))
    clock_async(watch, RasaClient, "send", "Rasa (its NLU, dialogue and the action webhook)")
    clock_async(watch, api.chat.conversations, "embedded_once", "e5 embedding of the text")
    clock_sync(watch, LanguageGuesser, "guess", "language guess")
    clock_session(watch)
    for module in (api.chat.conversations, api.chat.live_events):
        clock_async(watch, module, "publish_messages", "publishing to customers and consoles")

    @app.middleware("http")
    async def count(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        kind = WEBHOOK if request.url.path.startswith("/internal/") else MESSAGES if request.url.path.endswith("/messages") else None
        outer, watch.current = watch.current, kind or watch.current
        started = time.perf_counter()
        try:
            return await call_next(request)
        finally:
            watch.current = outer
            if kind == MESSAGES and request.method == "POST":
                watch.finish((time.perf_counter() - started) * 1000)

    return app


def count_statements(app: FastAPI, watch: Watch) -> None:
    """Every statement and commit of the started app's engine, counted into `watch`."""
    engine = app.state.services.sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, *rest: watch.statement(sql))
    event.listen(engine, "commit", lambda conn: watch.commit())


def converse(client: httpx.Client, language: str, address: int) -> None:
    """One customer's script; one address per customer, so per-IP limits apply as in production."""
    headers = {"X-Forwarded-For": f"10.8.{address >> 8 & 255}.{address & 255}"}
    created = client.post("/api/conversations", json={"language": language}, headers=headers)
    created.raise_for_status()
    headers["Authorization"] = f"Bearer {created.json()['token']}"
    for text in SCRIPTS[language]:
        client.post(f"/api/conversations/{created.json()['id']}/messages", json={"text": text, "client_id": uuid.uuid4().hex},
                    headers=headers).raise_for_status()


def report(rows: list[dict[str, Any]]) -> str:
    """Per customer message: the median of each stage and the mean count of each kind of statement."""
    stages = [key for key in rows[0] if ":" not in key and key != "total"]
    kinds = sorted({key for row in rows for key in row if ":" in key})
    lines = [f"{len(rows)} customer messages, one at a time.", "", "| stage | p50 ms | mean ms |", "| --- | --- | --- |"]
    for stage in ["total", *stages]:
        values = [row.get(stage, 0.0) for row in rows]
        lines.append(f"| {'whole request (server side)' if stage == 'total' else stage} | {statistics.median(values):.1f} | {statistics.mean(values):.1f} |")
    rest = [row["total"] - sum(row.get(stage, 0.0) for stage in stages) for row in rows]
    lines.append(f"| the rest (FastAPI, validation, the api's own code) | {statistics.median(rest):.1f} | {statistics.mean(rest):.1f} |")
    lines += ["", "| statements per message | mean |", "| --- | --- |"]
    lines += [f"| {kind} | {statistics.mean(row.get(kind, 0.0) for row in rows):.2f} |" for kind in kinds]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="conversations (four messages each)")
    args = parser.parse_args()
    watch = Watch()
    with tempfile.TemporaryDirectory(prefix="shopbot-profile-api-") as tmp, start_product(Path(tmp)) as stack:
        app = watched_app(stack, watch)
        with stack.api_served_here(app), httpx.Client(base_url=stack.api_url, timeout=120.0) as client:
            count_statements(app, watch)
            for warm_up in range(2):
                converse(client, LANGUAGES[warm_up], 60000 + warm_up)
            watch.rows.clear()
            for number in range(args.rounds):
                converse(client, LANGUAGES[number % len(LANGUAGES)], number)
    print(report(watch.rows))


if __name__ == "__main__":
    main()
