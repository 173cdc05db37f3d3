"""A product question through the real stack costs one action call and one e5 embedding (issue #23, items 2 and 3).

Rasa fills the slots the api's metadata carries itself (bot/message_metadata.py), with no webhook round trip of their
own; the api embeds the customer's text once, sends the vector to Rasa's intent component, and its search finds the
same vector again. The api runs in this process here, so its real embedder can be counted. A chat waiting for a person
is read by Rasa's NLU without a conversation (bot/channel.py's parse) and searched by the api: one e5 call too.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import Request, Response
from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.chat.rasa_client import RasaClient
from api.main import create_app
from bot.message_metadata import query_vector
from knowledge.embedder import E5Embedder
from runner.processes import Stack, rasa_token
from tests.conftest import Person
from tests.integration.chat import Console, ask, press, said, say, start

QUESTION = "Kolik stojí doprava kurýrem?"
SERVING: ContextVar[str | None] = ContextVar("serving", default=None)  # the request the api in this process is serving


class CountingEmbedder(E5Embedder):
    """The api's real e5 model, keeping every batch of queries it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[list[str]] = []

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.queries.append(list(texts))
        return super().embed_queries(texts)


def reading_rasa(readings: list[tuple[str, dict[str, Any], str | None]]) -> type[RasaClient]:
    """The api's real Rasa client, keeping what it asked Rasa's NLU to read (text, metadata) and the intent it got."""

    class ReadingRasaClient(RasaClient):
        async def intent(self, text: str, *metadata: dict[str, Any]) -> str | None:
            intent = await super().intent(text, *metadata)
            readings.append((text, metadata[0] if metadata else {}, intent))
            return intent

    return ReadingRasaClient


@contextmanager
def api_in_this_process(stack: Stack, monkeypatch: pytest.MonkeyPatch, embedder: E5Embedder) -> Iterator[list[str]]:
    """The stack's api replaced by one running in this process on the same port (Rasa's action calls reach it), its
    knowledge base built with `embedder`; yields the paths of the requests it serves. The stack's api comes back after."""
    monkeypatch.setattr("knowledge.embedder.make_embedder", lambda spec: embedder)  # read when knowledge_base() is called
    app = create_app(stack.settings.model_copy(update={"watch_content": False}))
    served: list[str] = []

    @app.middleware("http")
    async def note(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        served.append(request.url.path)
        serving = SERVING.set(f"{request.method} {request.url.path}")
        try:
            return await call_next(request)
        finally:
            SERVING.reset(serving)

    with stack.api_served_here(app):
        yield served


def test_a_product_question_costs_one_action_call_and_one_embedding(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = CountingEmbedder()
    with api_in_this_process(stack, monkeypatch, embedder) as served, httpx.Client(base_url=stack.api_url, timeout=60.0) as client:
        conversation, headers = start(client)
        assert ask(client, conversation, headers, "Dobrý den").status_code == 200  # the session's start and a greeting first
        embedder.queries.clear()
        served.clear()
        response = ask(client, conversation, headers, QUESTION)
        shop_name, online = client.get("/api/shop").json()["name"], client.get("/api/availability").json()["agents_online"]
    assert response.status_code == 200, response.text
    assert [reply["source"]["id"] for reply in response.json()["replies"] if reply.get("source")] == ["delivery-cost"]
    assert [path for path in served if path.startswith("/internal/")] == ["/internal/actions/webhook"]  # the answer's, nothing before it
    assert embedder.queries == [[QUESTION]]  # for Rasa's intent component and the search alike

    tracker = httpx.get(f"{stack.settings.rasa_url}/conversations/{conversation}/tracker", params=rasa_token(stack.settings), timeout=30).json()
    assert {name: tracker["slots"][name] for name in ("language", "returning_customer", "agents_online", "shop_name")} == {
        "language": "cs", "returning_customer": False, "agents_online": online, "shop_name": shop_name}
    said = [event for event in tracker["events"] if event["event"] == "user"]
    assert said[-1]["text"] == QUESTION and said[-1]["metadata"]["language"] == "cs"
    assert "query_vector" not in said[-1]["metadata"]  # spent on the NLU: not carried in every later action call


def test_a_button_pressed_after_a_language_switch_is_answered_in_the_new_language(client: httpx.Client) -> None:
    """Rasa parses a button's `/intent` payload from the payload alone; the api's metadata (here the language the customer
    has just picked) reaches the slots all the same, so the bot's own texts follow at once."""
    conversation, headers = start(client)
    say(client, conversation, headers, "Dobrý den")
    assert client.put(f"/api/conversations/{conversation}/language", json={"language": "lv"}, headers=headers).status_code == 200
    body = press(client, conversation, headers, {"title": "Vai tu esi robots?", "payload": "/bot_challenge"})
    assert said(body, "utter_iamabot", "lv"), body


def test_a_waiting_customers_question_costs_one_embedding(stack: Stack, admin: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa is paused while a chat waits: the api asks its NLU what the message is and searches the FAQ itself. The text is
    embedded once, by the api, and Rasa's intent component gets that vector (it accepts it for exactly this text and model:
    `query_vector`, bot/tests); before, Rasa's /model/parse took no metadata and embedded the text again."""
    embedder, readings = CountingEmbedder(), list[tuple[str, dict[str, Any], str | None]]()
    monkeypatch.setattr("api.main.RasaClient", reading_rasa(readings))
    with api_in_this_process(stack, monkeypatch, embedder), httpx.Client(base_url=stack.api_url, timeout=60.0) as client:
        console = Console(client, admin.email, admin.password)  # someone online: a request for a person queues the chat
        try:
            conversation, headers = start(client)
            assert say(client, conversation, headers, "Chci mluvit s operátorem.")["state"] == "waiting"
            embedder.queries.clear()
            readings.clear()
            body = say(client, conversation, headers, QUESTION)
        finally:
            console.put("/api/agent/presence", {"presence": "away"})
            console.close()
    assert body["state"] == "waiting" and [r["source"]["id"] for r in body["replies"] if r.get("source")] == ["delivery-cost"], body
    assert embedder.queries == [[QUESTION]]  # for Rasa's intent component and the search alike
    [(text, metadata, intent)] = readings
    assert text == QUESTION and intent == "product_question"
    sent = query_vector(metadata, QUESTION)
    assert sent is not None, metadata  # a vector Rasa's intent component takes instead of embedding the text itself
    assert np.allclose(sent, embedder.embed_queries([QUESTION])[0], atol=1e-6)


@contextmanager
def statements_of(request: str) -> Iterator[Counter[str]]:
    """The database statements (by their first word) and commits of every request `request` ("POST /api/…") to the api
    in this process; its background duties (leases, pending retries) and the action webhook's requests are not counted."""
    counted: Counter[str] = Counter()

    def statement(conn: object, cursor: object, sql: str, *rest: object) -> None:
        if SERVING.get() == request:
            counted[sql.split(None, 1)[0].upper()] += 1

    def commit(conn: object) -> None:
        if SERVING.get() == request:
            counted["COMMIT"] += 1

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    try:
        yield counted
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        event.remove(Engine, "commit", commit)


def test_a_message_for_the_bot_is_stored_in_one_commit_and_answered_in_one_more(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #23, item 5: the customer's message is committed before Rasa is asked (a crash loses nothing), the replies and
    the message's answered mark in one commit after; what the api must know besides is read in few statements (the bot's
    chats publish to no console, whether anyone is online and whether the visitor came before are one statement)."""
    with api_in_this_process(stack, monkeypatch, E5Embedder()), httpx.Client(base_url=stack.api_url, timeout=60.0) as client:
        conversation, headers = start(client)
        assert ask(client, conversation, headers, "Dobrý den").status_code == 200
        with statements_of(f"POST /api/conversations/{conversation}/messages") as counted:
            response = ask(client, conversation, headers, QUESTION)
    assert response.status_code == 200 and [r["source"]["id"] for r in response.json()["replies"] if r.get("source")] == ["delivery-cost"]
    assert counted["COMMIT"] == 2, counted
    assert counted["SELECT"] <= 6, counted  # the conversation, orphans, earlier messages, an open handoff, the facts for Rasa, its state after
    assert counted["INSERT"] + counted["UPDATE"] <= 3, counted  # the message; its answered mark; the replies
