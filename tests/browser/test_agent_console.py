"""The agent console in Chromium: notified of a waiting chat, note and transcript, take-over, live reply, hand-back."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.conftest import fill_sign_in, screenshot, screenshots, store_bot_reply
from tests.conftest import Person
from tests.integration.chat import say, start

pytestmark = pytest.mark.browser
INJECTION = '<img src=x onerror="alert(1)"><b>bold</b><script>alert(2)</script>'


def sign_in(page: Page, stack: Stack, person: Person) -> None:
    fill_sign_in(page, f"{stack.api_url}/console/", person)
    expect(page.get_by_text(f"{person.name} (")).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Live")


def test_an_agent_is_notified_takes_over_replies_live_and_hands_back(page: Page, stack: Stack, admin: Person, client: httpx.Client) -> None:
    sign_in(page, stack, admin)
    expect(page.get_by_label("Your status")).to_have_value("online")  # Available from the sign-in on
    page.evaluate("window.__chimes = 0; const original = window.chime; window.chime = () => { window.__chimes++; original(); }")

    conversation, headers = start(client)
    say(client, conversation, headers, INJECTION)  # shown to the agent as text, never run
    body = say(client, conversation, headers, "I want to talk to a human, please")
    assert body["state"] == "waiting", body

    item = page.locator("#queue li", has_text="I want to talk to a human")
    expect(item).to_be_visible()
    expect(page).to_have_title(re.compile(r"^\(\d+\) Agent console$"))
    assert page.evaluate("window.__chimes") >= 1  # the sound played when the chat arrived
    item.click()
    expect(page.locator("#note")).to_contain_text("Asked for a person")
    expect(page.locator("#transcript")).to_contain_text(INJECTION)
    assert page.locator("#transcript img, #transcript b, #transcript script").count() == 0
    screenshot(page, "console-waiting-chat")

    page.get_by_role("button", name="Take over").click()
    expect(page.get_by_role("button", name="Hand back to the bot")).to_be_enabled()
    say(client, conversation, headers, "Thanks for taking this")
    expect(page.locator("#transcript")).to_contain_text("Thanks for taking this")  # arrives live

    page.get_by_label("Reply").fill("Hello, this is Alice from Domovo.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#transcript li.agent").last).to_contain_text("Hello, this is Alice from Domovo.")
    messages = client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["messages"]
    assert messages[-1]["sender"] == "agent" and messages[-1]["agent"] == "Alice"
    screenshot(page, "console-live-chat")

    page.get_by_role("button", name="Hand back to the bot").click()
    expect(page.get_by_role("button", name="Hand back to the bot")).to_be_disabled()  # the api answered
    assert client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["state"] == "bot"
    assert page.dialogs == []  # type: ignore[attr-defined]
    page.get_by_label("Your status").select_option("away")


def test_a_cited_source_with_a_javascript_link_is_shown_as_text(page: Page, stack: Stack, admin: Person, client: httpx.Client) -> None:
    sign_in(page, stack, admin)  # Available: the customer is queued, not asked for an e-mail
    conversation, headers = start(client)
    assert say(client, conversation, headers, "I want to talk to a human, please")["state"] == "waiting"
    say(client, conversation, headers, "My parcel 77123 has not arrived")  # while waiting: what the queue shows
    store_bot_reply(stack, conversation, "Delivery costs 3 EUR.", {"id": "a", "title": "Bad link", "score": 0.9,
                                                                   "link": "javascript:window.__ran = 1"})
    page.locator("#queue li", has_text="parcel 77123").click()
    expect(page.locator("#transcript")).to_contain_text("Bad link")
    assert page.locator("#transcript a", has_text="Bad link").count() == 0
    assert page.locator("#transcript [href^='javascript' i]").count() == 0


def test_the_handoff_note_tells_the_agent_what_the_customer_wants(page: Page, stack: Stack, admin: Person, client: httpx.Client) -> None:
    sign_in(page, stack, admin)
    conversation, headers = start(client, "en")
    answered = say(client, conversation, headers, "How much does delivery by courier cost?")
    [entry] = [m["source"]["title"] for m in answered["replies"] if m.get("source")]
    say(client, conversation, headers, "You can write to me at jan.novak@example.com")
    assert say(client, conversation, headers, "I want to talk to a human, please")["state"] == "waiting"
    page.locator(f"#queue li[data-conversation='{conversation}']").click()
    note = page.locator("#note")
    expect(note).to_contain_text("Customer wants")
    expect(note).to_contain_text("“How much does delivery by courier cost?”")  # in their words
    expect(note).to_contain_text("jan.novak@example.com")
    expect(note).to_contain_text(f"“How much does delivery by courier cost?” from “{entry}”")  # what the bot answered from where
    expect(note).not_to_contain_text("Intents")  # no developer's vocabulary
    expect(note).not_to_contain_text("request_human")
    screenshots(page, "console-handoff-note")
    client.delete(f"/api/conversations/{conversation}/handoff", headers=headers)
    page.get_by_label("Your status").select_option("away")


def test_a_canned_response_is_inserted_by_its_shortcut(page: Page, stack: Stack, admin: Person, client: httpx.Client) -> None:
    token = client.post("/api/agent/login", json={"email": admin.email, "password": admin.password}).json()["token"]
    client.post("/api/admin/canned", json={"language": "en", "shortcut": "/thanks", "text": "Thank you for your patience!"},
                headers={"Authorization": f"Bearer {token}"})
    sign_in(page, stack, admin)
    conversation, headers = start(client)
    assert say(client, conversation, headers, "Please get me a human agent")["state"] == "waiting"
    page.locator("#queue li", has_text="Please get me a human agent").click()
    page.get_by_role("button", name="Take over").click()
    reply = page.get_by_label("Reply")
    reply.fill("Hi! /thanks")
    reply.press("Tab")
    expect(reply).to_have_value("Hi! Thank you for your patience!")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("button", name="Close")).to_be_disabled()
    assert client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["state"] == "closed"


def test_an_admin_manages_the_team_and_canned_responses_in_the_console(page: Page, stack: Stack, admin: Person, client: httpx.Client) -> None:
    sign_in(page, stack, admin)
    page.get_by_role("button", name="Team and canned responses").click()
    team = page.get_by_role("region", name="Team and canned responses")
    team.get_by_label("Name").fill("Dana")
    team.get_by_label("E-mail").fill("dana@domovo.test")
    team.get_by_label("First password").fill("dana-long-password")
    team.get_by_role("button", name="Add to the team").click()
    expect(page.locator("#team")).to_contain_text("Dana <dana@domovo.test> · agent")
    team.get_by_label("Language").select_option("pl")
    team.get_by_label("Shortcut").fill("/dzieki")
    team.get_by_label("Text").fill("Dziękujemy za cierpliwość!")
    team.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#canned")).to_contain_text("pl · /dzieki · Dziękujemy za cierpliwość!")
    screenshot(page, "console-admin")

    dana = client.post("/api/agent/login", json={"email": "dana@domovo.test", "password": "dana-long-password"})
    assert dana.status_code == 200 and dana.json()["agent"]["role"] == "agent"
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, stack, Person(email="dana@domovo.test", password="dana-long-password", name="Dana"))  # pragma: allowlist secret
    expect(page.get_by_role("button", name="Team and canned responses")).to_be_hidden()  # agents do not manage the team
