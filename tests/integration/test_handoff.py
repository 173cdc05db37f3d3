"""Human handoff through the public api and WebSockets: queue, take-over, live chat, hand-back, tickets by e-mail."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import yaml

from api.settings import ROOT
from knowledge.shop import load_shop
from runner.processes import Stack
from tests.conftest import Mailbox, Person, add_agent
from tests.integration.chat import Console, Live, database_rows, said, say, start, wait_for_availability, ws_url

pytestmark = pytest.mark.integration
SYSTEM_TEXTS = yaml.safe_load((ROOT / "api" / "chat" / "system_messages.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bob(stack: Stack) -> Person:
    return add_agent(stack.settings, "Bob")


def customer_live(stack: Stack, conversation: str, headers: dict[str, str]) -> Live:
    return Live(ws_url(stack.api_url, f"/api/conversations/{conversation}/ws"), headers["Authorization"].split()[1])


def ask_for_a_person(client: httpx.Client, text: str = "Can I talk to a real person, please?") -> tuple[str, dict[str, str], dict]:
    conversation, headers = start(client)
    body = say(client, conversation, headers, text)
    assert body["state"] == "waiting", body
    return conversation, headers, body


def test_a_person_takes_over_live_and_hands_back_to_the_bot(client: httpx.Client, stack: Stack, alice: Console) -> None:
    conversation, headers = start(client)
    customer = customer_live(stack, conversation, headers)
    body = say(client, conversation, headers, "Can I talk to a real person, please?")
    assert body["state"] == "waiting" and any(r["sender"] == "system" and "in the queue" in r["text"] for r in body["replies"]), body
    alice.live.wait_for(lambda e: e["type"] == "queue_changed")

    [item] = [i for i in alice.get("/api/agent/queue").json() if i["conversation_id"] == conversation]
    assert item["note"]["reason"] == "requested" and item["note"]["summary"]["language"] == "en" and item["language"] == "en"
    taken = alice.post(f"/api/agent/conversations/{conversation}/take")
    assert taken.status_code == 200, taken.text
    assert taken.json()["note"]["agent"] == "Alice" and [m["sender"] for m in taken.json()["messages"]][:2] == ["customer", "bot"]
    customer.wait_for(lambda e: e["type"] == "message" and e["sender"] == "system" and "Alice" in e["text"])

    quiet = say(client, conversation, headers, "Hello, are you there?")
    assert quiet["state"] == "agent" and quiet["replies"] == [], quiet
    alice.live.wait_for(lambda e: e["type"] == "message" and e["conversation_id"] == conversation and e["text"] == "Hello, are you there?")

    customer.send({"type": "typing", "active": True})
    alice.live.wait_for(lambda e: e["type"] == "typing" and e["conversation_id"] == conversation and e["active"])
    alice.live.send({"type": "typing", "conversation_id": conversation, "active": True})
    customer.wait_for(lambda e: e["type"] == "typing" and e["sender"] == "agent" and e["active"])

    sent = alice.post(f"/api/agent/conversations/{conversation}/messages", {"text": "Hi, Alice here. How can I help?"})
    assert sent.status_code == 201, sent.text
    customer.wait_for(lambda e: e["type"] == "message" and e["sender"] == "agent" and e["agent"] == "Alice")
    polled = client.get(f"/api/conversations/{conversation}/messages", params={"after": 0}, headers=headers).json()
    assert polled["state"] == "agent" and polled["messages"][-1]["text"] == "Hi, Alice here. How can I help?"

    back = alice.post(f"/api/agent/conversations/{conversation}/handback")
    assert back.status_code == 200 and back.json()["state"] == "bot", back.text
    customer.wait_for(lambda e: e["type"] == "state" and e["state"] == "bot")
    answer = say(client, conversation, headers, "How long do I have to return an item?")
    assert [r["source"]["id"] for r in answer["replies"] if r.get("source")] == ["return-withdrawal"], answer

    senders = [s for (s,) in database_rows(stack, "select sender from messages where conversation_id = ? order by id", conversation)]
    with_agent = senders[senders.index("agent") - 3: senders.index("agent") + 2]
    assert "bot" not in with_agent, senders  # the bot said nothing while Alice held the chat
    customer.close()


def test_two_agents_race_for_one_chat_and_exactly_one_wins(client: httpx.Client, stack: Stack, alice: Console, bob: Person) -> None:
    conversation, _, _ = ask_for_a_person(client)
    rival = Console(client, bob.email, bob.password)
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda console: console.post(f"/api/agent/conversations/{conversation}/take"), (alice, rival)))
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        winner = "Alice" if results[0].status_code == 200 else "Bob"
        assert database_rows(stack, "select a.name from handoffs h join agents a on a.id = h.agent_id where h.conversation_id = ?",
                             conversation) == [(winner,)]
    finally:
        rival.close()


def test_a_closed_console_gives_its_chat_back_to_the_queue(client: httpx.Client, stack: Stack, alice: Console, bob: Person) -> None:
    conversation, headers, _ = ask_for_a_person(client)
    customer = customer_live(stack, conversation, headers)
    rival = Console(client, bob.email, bob.password)
    assert rival.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
    rival.close()  # Bob's browser closes mid-chat
    customer.wait_for(lambda e: e["type"] == "state" and e["state"] == "waiting", timeout=stack.settings.agent_reconnect_grace_seconds + 10)
    assert conversation in [i["conversation_id"] for i in alice.get("/api/agent/queue").json()]
    assert alice.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
    customer.close()


def test_with_nobody_online_a_polish_customer_leaves_an_email_and_gets_the_answer_by_mail(
        client: httpx.Client, admin: Person, mailbox: Mailbox, stack: Stack) -> None:
    wait_for_availability(client, online=False)  # consoles of earlier tests have closed
    conversation, headers = start(client)
    body = say(client, conversation, headers, "Chciałbym porozmawiać z konsultantem, proszę.")
    assert body["language"] == "pl" and body["state"] == "bot" and said(body, "utter_handoff_offline", "pl"), body
    mistyped = say(client, conversation, headers, "jan.kowalski@example")
    assert [r["text"] for r in mistyped["replies"]] == [SYSTEM_TEXTS["email_invalid"]["pl"]], mistyped
    left = say(client, conversation, headers, "Mój e-mail to jan.kowalski@example.com")
    number = left["replies"][0]["data"]["ticket"]["number"]
    assert left["replies"][0]["text"] == SYSTEM_TEXTS["ticket_filed"]["pl"].format(
        number=number, email="jan.kowalski@example.com", hours=stack.settings.offline_reply_hours), left

    console = Console(client, admin.email, admin.password, online=False)
    try:
        [ticket] = [t for t in console.get("/api/agent/tickets").json() if t["conversation_id"] == conversation]
        assert ticket["kind"] == "contact" and ticket["email"] == "jan.kowalski@example.com" and ticket["language"] == "pl"
        assert ticket["number"] == number
        answered = console.post(f"/api/agent/tickets/{ticket['id']}/reply", {"text": "Dzień dobry, przesyłka wyjdzie jutro."})
        assert answered.status_code == 200 and answered.json()["status"] == "answered", answered.text
    finally:
        console.close()
    [mail] = [m for m in mailbox.messages if m["To"] == "jan.kowalski@example.com"]
    assert mail["Subject"] == SYSTEM_TEXTS["email_subject"]["pl"].format(shop_name=load_shop(stack.settings).name) == "Obsługa klienta Domovo: odpowiedź na twoje pytanie"
    assert "przesyłka wyjdzie jutro" in mail.get_content()
    assert mail["From"] == "Domovo <help@domovo.eu>"  # the shop file's name and address


def test_an_agent_closes_a_chat_and_a_later_message_reopens_it_for_the_bot(client: httpx.Client, alice: Console) -> None:
    conversation, headers, _ = ask_for_a_person(client, "Potřebuji mluvit s operátorem")
    assert alice.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
    closed = alice.post(f"/api/agent/conversations/{conversation}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed", closed.text
    *_, notice, question = closed.json()["messages"]
    assert notice["text"] == SYSTEM_TEXTS["conversation_closed"]["cs"]  # told in Czech
    assert question["text"] == SYSTEM_TEXTS["rate_agent"]["cs"].format(agent="Alice") and question["data"]["rate_handoff"]  # asked to rate Alice
    assert alice.post(f"/api/agent/conversations/{conversation}/messages", {"text": "late"}).status_code == 409
    later = say(client, conversation, headers, "Kolik stojí doprava kurýrem?")
    assert later["state"] == "bot" and any(r.get("source") for r in later["replies"]), later


def test_admins_add_agents_who_can_then_sign_in(client: httpx.Client, alice: Console) -> None:
    added = alice.post("/api/admin/agents", {"email": "carol@domovo.test", "name": "Carol", "password": "carol-long-password"})
    assert added.status_code == 201 and added.json()["role"] == "agent", added.text
    assert alice.post("/api/admin/agents", {"email": "carol@domovo.test", "name": "Carol", "password": "carol-long-password"}).status_code == 409  # pragma: allowlist secret
    signed = client.post("/api/agent/login", json={"email": "carol@domovo.test", "password": "carol-long-password"})
    assert signed.status_code == 200 and signed.json()["agent"]["name"] == "Carol"
    assert client.post("/api/agent/login", json={"email": "carol@domovo.test", "password": "not her password"}).status_code == 401  # pragma: allowlist secret


def test_admins_manage_canned_responses_that_agents_read_per_language(client: httpx.Client, alice: Console, bob: Person) -> None:
    created = alice.post("/api/admin/canned", {"language": "lv", "shortcut": "/sveiki", "text": "Labdien! Kā varu palīdzēt?"})
    assert created.status_code == 201, created.text
    agent = Console(client, bob.email, bob.password, online=False)
    try:
        assert [c["shortcut"] for c in agent.get("/api/agent/canned?language=lv").json()] == ["/sveiki"]
        assert agent.get("/api/agent/canned?language=cs").json() == []
        assert agent.post("/api/admin/canned", {"language": "cs", "shortcut": "/x", "text": "x"}).status_code == 403  # agents cannot
    finally:
        agent.close()


def test_every_agent_admin_editor_and_back_office_endpoint_needs_a_session(client: httpx.Client) -> None:
    spec = client.get("/api/openapi.json").json()
    checked = 0
    for path, operations in spec["paths"].items():
        if not path.startswith(("/api/agent", "/api/admin", "/api/back-office", "/api/editor")) or path == "/api/agent/login":
            continue
        for method in operations:
            concrete = path.replace("{conversation_id}", "x").replace("{ticket_id}", "1").replace("{agent_id}", "1").replace("{canned_id}", "1").replace("{entry_id}", "x")
            response = client.request(method.upper(), concrete, json={})
            assert response.status_code == 401, (method, path, response.status_code)
            checked += 1
    assert checked >= 25


def test_after_an_api_restart_the_queue_transcripts_and_states_are_all_still_there(client: httpx.Client, stack: Stack, alice: Console) -> None:
    waiting, waiting_headers, _ = ask_for_a_person(client)
    held, held_headers, _ = ask_for_a_person(client, "I'd like to speak to someone from your team")
    assert alice.post(f"/api/agent/conversations/{held}/take").status_code == 200
    assert alice.post(f"/api/agent/conversations/{held}/messages", {"text": "I'm looking into it"}).status_code == 201
    before = alice.get(f"/api/agent/conversations/{held}").json()

    stack.restart_api()

    assert waiting in [i["conversation_id"] for i in alice.get("/api/agent/queue").json()]  # the session survived too
    after = alice.get(f"/api/agent/conversations/{held}").json()
    assert after["state"] == "agent" and after["messages"] == before["messages"] and after["note"] == before["note"]
    customer_view = client.get(f"/api/conversations/{waiting}/messages", headers=waiting_headers).json()
    assert customer_view["state"] == "waiting" and customer_view["queue_position"] >= 1
    assert [m["sender"] for m in customer_view["messages"]][:2] == ["customer", "bot"]
    assert say(client, held, held_headers, "still there?")["replies"] == []  # the bot keeps out after the restart too
