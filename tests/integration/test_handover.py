"""Issue #22: with nobody online, while waiting and after a ticket, the chat stays useful and says the truth.

Through the public api and WebSockets, on the real Rasa server and the real database: the availability the widget
shows before anyone asks, a request for a person that becomes an e-mail ticket, a queue that hears the customer, and
the way back to the bot.
"""
from __future__ import annotations

import sqlite3
import time

import httpx
import yaml

from api.settings import ROOT
from runner.processes import Stack
from tests.conftest import Person
from tests.integration.chat import Console, Live, database_rows, said, say, start, texts, wait_for_availability, ws_url

SYSTEM_TEXTS = yaml.safe_load((ROOT / "api" / "chat" / "system_messages.yml").read_text(encoding="utf-8"))
REPLY_HOURS = 24  # SHOPBOT_OFFLINE_REPLY_HOURS's default, which the test stack keeps


def transcript(client: httpx.Client, conversation: str, headers: dict[str, str]) -> dict:
    response = client.get(f"/api/conversations/{conversation}/messages", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def queue_ids(console: Console) -> list[str]:
    return [item["conversation_id"] for item in console.get("/api/agent/queue").json()]


def sources(body: dict) -> list[str]:
    return [reply["source"]["id"] for reply in body["replies"] if reply.get("source")]


def test_availability_is_public_and_follows_the_agents(client: httpx.Client, stack: Stack, admin: Person) -> None:
    assert wait_for_availability(client, online=False) == {"agents_online": False, "reply_hours": REPLY_HOURS}
    away = client.post("/api/agent/login", json={"email": admin.email, "password": admin.password, "presence": "away"})
    assert away.status_code == 200 and away.json()["agent"]["presence"] == "away", away.text  # Away at the end of a session
    signed = client.post("/api/agent/login", json={"email": admin.email, "password": admin.password, "presence": "online"})
    assert signed.status_code == 200 and signed.json()["agent"]["presence"] == "online", signed.text  # the console's sign-in: Available
    headers = {"Authorization": f"Bearer {signed.json()['token']}"}
    wait_for_availability(client, online=False)  # signed in, but no console open: nobody answers a chat
    console = Live(ws_url(stack.api_url, "/api/agent/ws"), signed.json()["token"])
    try:
        wait_for_availability(client, online=True)
        assert client.put("/api/agent/presence", json={"presence": "away"}, headers=headers).status_code == 200
        wait_for_availability(client, online=False)
        assert client.put("/api/agent/presence", json={"presence": "online"}, headers=headers).status_code == 200
        wait_for_availability(client, online=True)
    finally:
        console.close()
    wait_for_availability(client, online=False)  # the console closed: nobody again, without a status change


def test_nobody_online_a_request_for_a_person_becomes_a_ticket_and_the_bot_answers_on(client: httpx.Client, stack: Stack,
                                                                                      admin: Person) -> None:
    wait_for_availability(client, online=False)
    conversation, headers = start(client)
    asked = say(client, conversation, headers, "Chci mluvit s člověkem, prosím.")
    assert asked["state"] == "bot" and said(asked, "utter_handoff_offline", "cs"), asked  # honest, and asks for an e-mail
    assert f"{REPLY_HOURS} h" in texts(asked) and not [r for r in asked["replies"] if r["sender"] == "system"], asked  # no queue place
    view = transcript(client, conversation, headers)
    assert view["state"] == "bot" and view["queue_position"] is None and view["ticket"] is None, view

    left = say(client, conversation, headers, "jan.novak@example.com")
    [notice] = left["replies"]
    ticket = notice["data"]["ticket"]
    assert left["state"] == "bot" and ticket["email"] == "jan.novak@example.com" and ticket["number"].startswith("T-"), left
    assert notice["text"] == SYSTEM_TEXTS["ticket_filed"]["cs"].format(number=ticket["number"], email="jan.novak@example.com", hours=REPLY_HOURS)
    assert database_rows(stack, "select kind, number, email, status from tickets where conversation_id = ?", conversation) == [
        ("contact", ticket["number"], "jan.novak@example.com", "open")]
    assert database_rows(stack, "select count(*) from handoffs where conversation_id = ? and ended_at is null", conversation) == [(0,)]
    assert transcript(client, conversation, headers)["ticket"] == {"number": ticket["number"], "email": "jan.novak@example.com",
                                                                   "reply_hours": REPLY_HOURS}  # what a reloaded widget shows

    answer = say(client, conversation, headers, "Kolik stojí doprava kurýrem?")
    assert answer["state"] == "bot" and sources(answer) == ["delivery-cost"], answer  # the bot goes on
    console = Console(client, admin.email, admin.password, online=False)
    try:
        assert conversation not in queue_ids(console)  # a ticket now, not a chat to take
        assert console.post(f"/api/agent/conversations/{conversation}/take").status_code == 409
        [filed] = [t for t in console.get("/api/agent/tickets").json() if t["conversation_id"] == conversation]
        assert filed["number"] == ticket["number"] and filed["kind"] == "contact"
    finally:
        console.close()


def test_a_waiting_customer_is_heard_answered_from_the_faq_and_goes_back_to_the_bot_by_saying_so(
        client: httpx.Client, stack: Stack, alice: Console) -> None:
    conversation, headers = start(client)
    asked = say(client, conversation, headers, "Chci mluvit s operátorem.")
    assert asked["state"] == "waiting" and said(asked, "utter_handoff", "cs"), asked
    position = transcript(client, conversation, headers)["queue_position"]
    assert position and position >= 1

    hello = say(client, conversation, headers, "haló? je tam někdo?")
    assert hello["state"] == "waiting" and [r["text"] for r in hello["replies"]] == [
        SYSTEM_TEXTS["waiting_ack"]["cs"].format(position=position)], hello  # not silence: heard, and where they stand
    alice.live.wait_for(lambda e: e.get("conversation_id") == conversation and e.get("text") == "haló? je tam někdo?")

    faq = say(client, conversation, headers, "Kolik stojí doprava kurýrem?")
    assert faq["state"] == "waiting" and sources(faq) == ["delivery-cost"] and faq["replies"][0]["sender"] == "bot", faq
    detail = alice.get(f"/api/agent/conversations/{conversation}").json()
    said_while_waiting = [(m["sender"], m["text"]) for m in detail["messages"]][-4:]
    assert said_while_waiting[0] == ("customer", "haló? je tam někdo?") and said_while_waiting[2] == ("customer", "Kolik stojí doprava kurýrem?")
    assert said_while_waiting[3][0] == "bot", said_while_waiting  # the agent who takes it sees what the bot answered meanwhile

    back = say(client, conversation, headers, "chci zpátky na robota")
    assert back["state"] == "bot" and [r["text"] for r in back["replies"]] == [SYSTEM_TEXTS["back_to_bot"]["cs"]], back
    assert conversation not in queue_ids(alice)
    assert alice.post(f"/api/agent/conversations/{conversation}/take").status_code == 409
    again = say(client, conversation, headers, "Kolik stojí doprava kurýrem?")
    assert again["state"] == "bot" and sources(again) == ["delivery-cost"], again  # Rasa took the conversation back


def test_the_back_to_the_bot_button_leaves_the_queue_but_not_a_chat_an_agent_holds(client: httpx.Client, alice: Console) -> None:
    conversation, headers = start(client)
    assert say(client, conversation, headers, "Can I talk to a real person, please?")["state"] == "waiting"
    left = client.delete(f"/api/conversations/{conversation}/handoff", headers=headers)
    assert left.status_code == 200 and left.json()["state"] == "bot", left.text
    assert [m["text"] for m in left.json()["messages"]] == [SYSTEM_TEXTS["back_to_bot"]["en"]]
    assert client.delete(f"/api/conversations/{conversation}/handoff", headers=headers).status_code == 409  # not waiting any more
    assert conversation not in queue_ids(alice)
    answer = say(client, conversation, headers, "How long do I have to return an item?")
    assert sources(answer) == ["return-withdrawal"], answer

    assert say(client, conversation, headers, "I'd like to speak to someone from your team")["state"] == "waiting"
    assert alice.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
    refused = client.delete(f"/api/conversations/{conversation}/handoff", headers=headers)
    assert refused.status_code == 409 and "taken" in refused.json()["detail"], refused.text
    assert transcript(client, conversation, headers)["state"] == "agent"
    assert alice.post(f"/api/agent/conversations/{conversation}/handback").status_code == 200


def test_a_customer_nobody_took_in_time_leaves_an_email_and_is_back_with_the_bot(client: httpx.Client, stack: Stack, alice: Console) -> None:
    conversation, headers = start(client)
    assert say(client, conversation, headers, "Chciałbym porozmawiać z konsultantem, proszę.")["state"] == "waiting"
    # The queue's timer asks for an e-mail after SHOPBOT_HANDOFF_WAIT_SECONDS (tested on its own in tests/api): as it would
    with sqlite3.connect(stack.settings.database.split("///", 1)[1]) as connection:
        connection.execute("update handoffs set email_requested_at = requested_at where conversation_id = ?", (conversation,))
    position = transcript(client, conversation, headers)["queue_position"]

    still = say(client, conversation, headers, "Halo?")
    assert [r["text"] for r in still["replies"]] == [SYSTEM_TEXTS["waiting_ack_email"]["pl"].format(position=position, hours=REPLY_HOURS)], still
    left = say(client, conversation, headers, "Mój e-mail to jan.kowalski@example.com")
    assert left["state"] == "bot" and left["replies"][0]["data"]["ticket"]["email"] == "jan.kowalski@example.com", left
    assert conversation not in queue_ids(alice)
    assert alice.post(f"/api/agent/conversations/{conversation}/take").status_code == 409
    answer = say(client, conversation, headers, "Jak długo trwa dostawa kurierem?")
    assert answer["state"] == "bot" and sources(answer), answer  # Rasa was resumed when the chat left the queue


def _sources_when_answered(client: httpx.Client, conversation: str, headers: dict[str, str], *, timeout: float = 60.0) -> list[str]:
    """The entries the bot's replies cite, once the pending message has been answered (the api retries every 3 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cited = [m["source"]["id"] for m in transcript(client, conversation, headers)["messages"] if m.get("source")]
        if cited:
            return cited
        time.sleep(1)
    return []


def test_a_chat_closed_and_reopened_while_rasa_is_down_is_answered_when_it_is_back(client: httpx.Client, stack: Stack,
                                                                                   alice: Console) -> None:
    conversation, headers = start(client)
    assert say(client, conversation, headers, "Can I talk to a real person, please?")["state"] == "waiting"
    assert alice.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
    stack.stop_rasa()
    try:
        assert alice.post(f"/api/agent/conversations/{conversation}/close").status_code == 200  # Rasa stays paused: it is down
        body = say(client, conversation, headers, "How long do I have to return an item?")
        assert body["pending"] and body["state"] == "bot", body
    finally:
        stack.start_rasa()
    assert _sources_when_answered(client, conversation, headers) == ["return-withdrawal"]  # a paused Rasa would say nothing


def test_a_hand_back_while_rasa_is_down_leaves_the_chat_with_the_agent(client: httpx.Client, stack: Stack, alice: Console) -> None:
    conversation, headers = start(client)
    assert say(client, conversation, headers, "Can I talk to a real person, please?")["state"] == "waiting"
    assert alice.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
    stack.stop_rasa()
    try:
        refused = alice.post(f"/api/agent/conversations/{conversation}/handback")
        assert refused.status_code == 503, refused.text
        assert transcript(client, conversation, headers)["state"] == "agent"  # not the bot's while Rasa could not be resumed
    finally:
        stack.start_rasa()
    assert alice.post(f"/api/agent/conversations/{conversation}/handback").status_code == 200
    assert sources(say(client, conversation, headers, "How long do I have to return an item?")) == ["return-withdrawal"]
