"""Parts of the real product killed with SIGKILL (kill -9) mid-request: the runner starts them again, the conversation goes
on with its context, and every customer message is stored once and answered once.

Rasa or the api is frozen (SIGSTOP) first so that the customer's request is surely in flight when the kill comes.
"""
from __future__ import annotations

import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from runner.processes import Stack
from tests.integration.chat import (
    bot_replies_after,
    buttons,
    database_rows,
    press,
    rasa_heard,
    said,
    say,
    send_like_the_widget,
    start,
    transcript_when,
)

RECOVERY_SECONDS = 400  # the supervisor's first wait, then Rasa loading its model on a busy machine


def customer_rows(stack: Stack, conversation: str) -> list[tuple]:
    return database_rows(stack, "select text, status from messages where conversation_id = ? and sender = 'customer' order by id", conversation)


def sources(messages: list[dict[str, Any]]) -> list[str]:
    """The FAQ entries the bot's messages cite, in order."""
    return [m["source"]["id"] for m in messages if m.get("source")]


def wait_until_stored(stack: Stack, conversation: str, text: str) -> None:
    """The api stores a message before it asks Rasa: once the row is there, the request is waiting for Rasa."""
    deadline = time.monotonic() + 60
    while not database_rows(stack, "select 1 from messages where conversation_id = ? and text = ?", conversation, text):
        assert time.monotonic() < deadline, f"{text!r} was never stored"
        time.sleep(0.05)


def printed_until(capsys: pytest.CaptureFixture[str], text: str, timeout: float = 30.0) -> str:
    """What the runner printed, read until `text` is in it: the supervisor says a part is back on its next look (every
    0.5 s), which can come after the api got its first answer from the part; the timeout only keeps the test from hanging."""
    output, deadline = "", time.monotonic() + timeout
    while text not in output and time.monotonic() < deadline:
        output += capsys.readouterr().out
        time.sleep(0.1)
    return output


def test_rasa_killed_mid_request_is_restarted_and_a_half_filled_claim_goes_on_answered_once(
        client: httpx.Client, stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    conversation, headers = start(client)
    complaint = "Dostałem uszkodzony czajnik, obudowa jest pęknięta i przecieka. Chcę złożyć reklamację."
    assert said(say(client, conversation, headers, complaint), "utter_ask_complaint_order", "pl")
    other, other_headers = start(client, "pl")
    questions = ["Ile kosztuje dostawa kurierem?", "Jak mogę zapłacić za zamówienie?"]

    rasa = stack.rasa
    rasa.send_signal(signal.SIGSTOP)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(say, client, conversation, headers, "to jest zamówienie nr 31877")
        wait_until_stored(stack, conversation, "to jest zamówienie nr 31877")
        rasa.send_signal(signal.SIGKILL)
        body = waiting.result(timeout=60)
    assert body["pending"] and [r["sender"] for r in body["replies"]] == ["system"], body  # "one moment", nothing lost
    for question in questions:  # two more while Rasa is down, in another conversation: answered in this order later
        assert say(client, other, other_headers, question)["pending"]

    replies = bot_replies_after(client, conversation, headers, "to jest zamówienie nr 31877", timeout=RECOVERY_SECONDS)
    assert stack.rasa.pid != rasa.pid  # the runner started Rasa again
    assert said({"replies": replies}, "utter_ask_complaint_resolution", "pl"), replies  # the form and the language survived
    output = printed_until(capsys, "Rasa is back")
    assert f"Rasa exited with code -9 (its log: {stack.settings.var_dir / 'logs' / 'rasa.log'}); starting it again in 1 s" in output
    assert "Rasa is back" in output

    transcript = transcript_when(client, other, other_headers, lambda messages: len(sources(messages)) >= 2)
    assert sources(transcript) == ["delivery-cost", "payment-methods"], transcript  # each answered once, in the order asked
    assert customer_rows(stack, conversation) == [(complaint, "answered"), ("to jest zamówienie nr 31877", "answered")]
    assert customer_rows(stack, other) == [(q, "answered") for q in questions]
    assert rasa_heard(stack, conversation, "to jest zamówienie nr 31877") == 1

    choice = next(b for b in buttons({"replies": replies}) if b["payload"] == '/inform{"complaint_resolution":"replacement"}')
    body = press(client, conversation, headers, choice)
    assert said(body, "utter_ask_complaint_confirmed", "pl") and "31877" in " ".join(r["text"] for r in body["replies"]), body


def test_the_api_killed_mid_request_is_restarted_and_the_widgets_resend_is_stored_and_answered_once(
        client: httpx.Client, stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    conversation, headers = start(client, "lv")
    say(client, conversation, headers, "Labdien")
    question = "Cik maksā piegāde ar kurjeru?"

    api, rasa = stack.api, stack.rasa
    rasa.send_signal(signal.SIGSTOP)  # the api's request to Rasa hangs: the customer's request is in flight
    try:
        with ThreadPoolExecutor(1) as pool:
            sending = pool.submit(send_like_the_widget, stack.api_url, conversation, headers, question)
            wait_until_stored(stack, conversation, question)
            api.send_signal(signal.SIGKILL)
            rasa.send_signal(signal.SIGCONT)  # Rasa finds the api's connection gone
            acknowledged: dict[str, Any] = sending.result(timeout=RECOVERY_SECONDS)
    finally:
        rasa.send_signal(signal.SIGCONT)
    assert stack.api.pid != api.pid  # the runner started the api again, and it took the resend
    stored_before_the_kill = database_rows(stack, "select id from messages where conversation_id = ? and text = ?", conversation, question)
    assert [(acknowledged["message_id"],)] == stored_before_the_kill and acknowledged["replies"] == [], acknowledged  # not taken twice

    replies = bot_replies_after(client, conversation, headers, question, timeout=RECOVERY_SECONDS)
    assert sources(replies) == ["delivery-cost"], replies
    assert customer_rows(stack, conversation) == [("Labdien", "answered"), (question, "answered")]  # stored once
    assert rasa_heard(stack, conversation, question) == 1  # Rasa moved the conversation on once
    assert "the api exited with code -9" in capsys.readouterr().out

    body = say(client, conversation, headers, "Paldies, tas arī viss")
    assert body["language"] == "lv" and body["replies"], body
    messages = client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["messages"]
    assert sources(messages) == ["delivery-cost"], messages  # answered once, not again by the resend


def test_a_message_the_api_asks_rasa_about_again_is_answered_from_the_tracker_store_not_handled_twice(stack: Stack) -> None:
    """What the api does when it never got Rasa's answer (it was killed, or timed out after Rasa saved the message)."""
    conversation = uuid.uuid4().hex
    ask = {"sender": conversation, "message": "Kolik stojí doprava kurýrem?", "metadata": {"language": "cs"}, "message_id": "7"}
    token = {"Authorization": f"Bearer {stack.settings.rasa_token.get_secret_value()}"}
    channel = f"{stack.settings.rasa_url}/webhooks/shopbot/webhook"
    first, again = (httpx.post(channel, json=ask, headers=token, timeout=60) for _ in range(2))
    assert first.status_code == again.status_code == 200 and first.json(), first.text
    assert again.json() == first.json()
    assert rasa_heard(stack, conversation, "Kolik stojí doprava kurýrem?") == 1
    assert httpx.post(channel, json={**ask, "message_id": "8"}, headers=token, timeout=60).json()  # another message: handled
    assert rasa_heard(stack, conversation, "Kolik stojí doprava kurýrem?") == 2
