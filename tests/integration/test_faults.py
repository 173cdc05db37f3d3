"""Bad days on the real stack: the database locked by another process, briefly and for too long."""
from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from runner.processes import Stack
from tests.integration.chat import database_rows, start

BUSY_TIMEOUT_SECONDS = 15  # api/storage/db.py: how long the api waits for a lock before giving up


@contextmanager
def database_locked(stack: Stack, seconds: float) -> Iterator[None]:
    """Another process takes SQLite's write lock (as a long backup or a migration would) and holds it `seconds`."""
    path = stack.settings.database.split("///", 1)[1]
    held = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    locker = threading.Thread(target=hold)
    locker.start()
    held.wait(10)
    try:
        yield
    finally:
        locker.join()


def customer_rows(stack: Stack, conversation: str) -> list[tuple]:
    return database_rows(stack, "select text, status from messages where conversation_id = ? and sender = 'customer'", conversation)


def test_a_message_sent_while_the_database_is_locked_for_a_moment_is_answered(client: httpx.Client, stack: Stack) -> None:
    conversation, headers = start(client, "lv")
    with database_locked(stack, 3):
        response = client.post(f"/api/conversations/{conversation}/messages", json={"text": "Cik maksā piegāde ar kurjeru?"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["replies"] and not response.json()["pending"]
    assert customer_rows(stack, conversation) == [("Cik maksā piegāde ar kurjeru?", "answered")]


def test_a_database_locked_too_long_gets_503_and_the_resend_is_stored_once(client: httpx.Client, stack: Stack) -> None:
    conversation, headers = start(client, "pl")
    message = {"text": "Ile kosztuje dostawa kurierem?", "client_id": uuid.uuid4().hex}
    with database_locked(stack, BUSY_TIMEOUT_SECONDS + 5):
        refused = client.post(f"/api/conversations/{conversation}/messages", json=message, headers=headers)
    assert refused.status_code == 503, refused.text
    assert "storage is busy" in refused.json()["detail"] and refused.headers["Retry-After"]
    resent = client.post(f"/api/conversations/{conversation}/messages", json=message, headers=headers)  # what the widget's outbox does
    assert resent.status_code == 200, resent.text
    assert resent.json()["replies"]
    assert customer_rows(stack, conversation) == [("Ile kosztuje dostawa kurierem?", "answered")]
    health = client.get("/api/health").json()
    assert health["status"] == "ok", health


def test_a_failing_action_gets_the_customer_an_apology_in_their_language_not_silence(limited_api: str) -> None:
    """`limited_api` keeps its own database while Rasa runs actions on the stack's api, which does not know this
    conversation: the handoff action fails there for real (as with a bug or a database gone in the middle)."""
    with httpx.Client(base_url=limited_api, timeout=60.0, headers={"X-Forwarded-For": "192.0.2.77"}) as http:
        conversation, headers = start(http, "lv")
        answer = http.post(f"/api/conversations/{conversation}/messages", json={"text": "Gribu runāt ar cilvēku, lūdzu"}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert any("mūsu pusē kaut kas nogāja greizi" in reply["text"] for reply in answer.json()["replies"]), answer.json()
