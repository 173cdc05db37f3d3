"""A customer's side of the chat, through the public api only (what the widget does)."""
from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import httpx
import yaml
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from api.settings import ROOT
from runner.processes import Stack


def start(client: httpx.Client, language: str | None = None, *, visitor_token: str | None = None) -> tuple[str, dict[str, str]]:
    body = {key: value for key, value in (("language", language), ("visitor_token", visitor_token)) if value}
    response = client.post("/api/conversations", json=body or None)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["state"] == "bot" and created["token"] and created["visitor_token"]
    return created["id"], {"Authorization": f"Bearer {created['token']}", "X-Visitor": created["visitor_token"]}


def ask(client: httpx.Client, conversation: str, headers: dict[str, str], text: str) -> httpx.Response:
    return client.post(f"/api/conversations/{conversation}/messages", json={"text": text}, headers=headers)


def say(client: httpx.Client, conversation: str, headers: dict[str, str], text: str) -> dict[str, Any]:
    response = ask(client, conversation, headers, text)
    assert response.status_code == 200, response.text
    return response.json()


def press(client: httpx.Client, conversation: str, headers: dict[str, str], button: dict[str, str]) -> dict[str, Any]:
    """Press a button as the widget does: intent payloads go to the bot, the title to the transcript."""
    body = {"text": button["title"], "payload": button["payload"]} if button["payload"].startswith("/") else {"text": button["payload"]}
    response = client.post(f"/api/conversations/{conversation}/messages", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def send_like_the_widget(base_url: str, conversation: str, headers: dict[str, str], text: str, *, timeout: float = 300.0) -> dict[str, Any]:
    """Send as the widget's outbox does: one client_id, sent again while the api is unreachable or answers 5xx
    (waits of 1 s doubling up to 10 s), until the api acknowledges it. Its own connection, so it can run in a thread."""
    body, wait = {"text": text, "client_id": uuid.uuid4().hex}, 1.0
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=60.0) as http:
        while time.monotonic() < deadline:
            try:
                response = http.post(f"/api/conversations/{conversation}/messages", json=body, headers=headers)
                if response.status_code < 500:
                    assert response.status_code == 200, response.text
                    return response.json()
            except httpx.TransportError:
                pass
            time.sleep(wait)
            wait = min(wait * 2, 10.0)
    raise AssertionError(f"the api did not take {text!r} within {timeout} s")


def transcript_when(client: httpx.Client, conversation: str, headers: dict[str, str], ready: Callable[[list[dict[str, Any]]], bool], *,
                    timeout: float = 300.0) -> list[dict[str, Any]]:
    """The conversation's messages (as a reloaded widget reads them) once `ready` says they are complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["messages"]
        if ready(messages):
            return messages
        time.sleep(1)
    raise AssertionError(f"the transcript was not complete within {timeout} s: {messages[-5:]}")


def bot_replies_after(client: httpx.Client, conversation: str, headers: dict[str, str], text: str, *, timeout: float = 300.0) -> list[dict[str, Any]]:
    """The bot's messages after the customer's last `text`, once there are some (answered late, they follow any later message)."""
    def after(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        asked = [i for i, m in enumerate(messages) if m["sender"] == "customer" and m["text"] == text]
        return [m for m in messages[asked[-1] + 1:] if m["sender"] == "bot"] if asked else []
    return after(transcript_when(client, conversation, headers, lambda messages: bool(after(messages)), timeout=timeout))


def buttons(body: dict[str, Any]) -> list[dict[str, str]]:
    return [button for reply in body["replies"] for button in reply.get("buttons") or []]


def texts(body: dict[str, Any]) -> str:
    return "\n".join(reply["text"] for reply in body["replies"])


def wait_for_availability(client: httpx.Client, *, online: bool, timeout: float = 10.0) -> dict[str, Any]:
    """The public availability once it says `online` (a console of an earlier test takes a moment to close)."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/api/availability")
        assert response.status_code == 200, response.text
        body = response.json()
        if body["agents_online"] is online or time.monotonic() > deadline:
            assert body["agents_online"] is online, body
            return body
        time.sleep(0.2)


def database_rows(stack: Stack, sql: str, *params: Any) -> list[tuple]:
    """Read the api's real SQLite database the way a support lead's report would."""
    return _sqlite_rows(stack.settings.database, sql, params)


def rasa_rows(stack: Stack, sql: str, *params: Any) -> list[tuple]:
    """Read Rasa's tracker store (SQLite in var/, table `events`) the way an operator would."""
    return _sqlite_rows(stack.settings.rasa_tracker_store, sql, params)


def rasa_heard(stack: Stack, conversation: str, text: str) -> int:
    """How many times Rasa's tracker store holds the customer's `text` in the conversation: 1 when Rasa handled it once."""
    rows = rasa_rows(stack, "select data from events where sender_id = ? and type_name = 'user'", conversation)
    return sum(json.loads(data).get("text") == text for (data,) in rows)


def _sqlite_rows(url: str, sql: str, params: tuple[Any, ...]) -> list[tuple]:
    with sqlite3.connect(url.split("///", 1)[1]) as connection:
        return connection.execute(sql, params).fetchall()


class Live:
    """A WebSocket as the widget or the console holds it: authenticate first, then read events."""

    def __init__(self, url: str, token: str) -> None:
        self._socket = connect(url, open_timeout=10)
        self._socket.send(json.dumps({"type": "auth", "token": token}))
        self.seen: list[dict[str, Any]] = []
        self.ready = self.wait_for(lambda e: e["type"] == "ready")

    def send(self, event: dict[str, Any]) -> None:
        self._socket.send(json.dumps(event))

    def wait_for(self, matches: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]:
        """The first event (already seen or arriving within `timeout`) that `matches`."""
        for event in self.seen:
            if matches(event):
                self.seen.remove(event)
                return event
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = json.loads(self._socket.recv(timeout=left))
            except TimeoutError:
                break
            if matches(event):
                return event
            self.seen.append(event)
        raise AssertionError(f"no matching event within {timeout} s; saw {self.seen[-10:]}")

    def close(self) -> None:
        self._socket.close()


def closed(socket: ClientConnection, timeout: float) -> tuple[int, str, float]:
    """Read (and drop) events until the server closes the socket: its close code, reason and how long it took."""
    began = time.monotonic()
    deadline = began + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            socket.recv(timeout=left)
    except ConnectionClosed as exc:
        assert exc.rcvd is not None, f"closed without a close frame: {exc}"
        return exc.rcvd.code, exc.rcvd.reason, time.monotonic() - began
    except TimeoutError:
        pass
    raise AssertionError(f"the socket was still open after {timeout} s")


def ws_url(base_url: str | httpx.URL, path: str) -> str:
    """The WebSocket address of `path` on the api (or the proxy) at `base_url`."""
    return str(base_url).rstrip("/").replace("http", "ws", 1) + path


class Console:
    """An agent's console through the public api: sign-in, live socket, and the actions it offers."""

    def __init__(self, client: httpx.Client, email: str, password: str, *, online: bool = True) -> None:
        """Signed in Available, as the console's form does, or Away when `online` is false (the agent chose so)."""
        self.client = client
        response = client.post("/api/agent/login", json={"email": email, "password": password, "presence": "online" if online else "away"})
        assert response.status_code == 200, response.text
        self.session = response.json()
        self.headers = {"Authorization": f"Bearer {self.session['token']}"}
        self.live = Live(ws_url(client.base_url, "/api/agent/ws"), self.session["token"])

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.headers)

    def put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.client.put(path, json=body, headers=self.headers)

    def close(self) -> None:
        self.live.close()


@lru_cache(maxsize=1)
def responses() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def said(body: dict, response: str, language: str) -> bool:
    """Whether one of the bot's replies is a variant of `response` in `language` (placeholders may differ)."""
    variants = [v["text"] for v in responses()[response] if any(c.get("value") == language for c in v.get("condition", []))]
    assert variants, f"{response} has no {language} variant"
    starts = [re.split(r"\{\w+\}", v)[0][:40] for v in variants]
    return any(reply["text"].startswith(start) for reply in body["replies"] for start in starts)
