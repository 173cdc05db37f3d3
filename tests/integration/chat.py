"""A customer's side of the chat, through the public api only (what the widget does)."""
from __future__ import annotations

import json
import re
import sqlite3
import time
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


def buttons(body: dict[str, Any]) -> list[dict[str, str]]:
    return [button for reply in body["replies"] for button in reply.get("buttons") or []]


def texts(body: dict[str, Any]) -> str:
    return "\n".join(reply["text"] for reply in body["replies"])


def database_rows(stack: Stack, sql: str, *params: Any) -> list[tuple]:
    """Read the api's real SQLite database the way a support lead's report would."""
    return _sqlite_rows(stack.settings.database, sql, params)


def rasa_rows(stack: Stack, sql: str, *params: Any) -> list[tuple]:
    """Read Rasa's tracker store (SQLite in var/, table `events`) the way an operator would."""
    return _sqlite_rows(stack.settings.rasa_tracker_store, sql, params)


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
        self.client = client
        response = client.post("/api/agent/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        self.session = response.json()
        self.headers = {"Authorization": f"Bearer {self.session['token']}"}
        self.live = Live(ws_url(client.base_url, "/api/agent/ws"), self.session["token"])
        if online:
            assert self.put("/api/agent/presence", {"presence": "online"}).status_code == 200

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
