"""The agent console in Chromium: notified of a waiting chat, note and transcript, take-over, live reply, hand-back."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.conftest import screenshot
from tests.conftest import Person
from tests.integration.chat import say, start

pytestmark = pytest.mark.browser
INJECTION = '<img src=x onerror="alert(1)"><b>bold</b><script>alert(2)</script>'


def sign_in(page: Page, stack: Stack, person: Person) -> None:
    page.goto(f"{stack.api_url}/console/")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"{person.name} (")).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Live")


def test_an_agent_is_notified_takes_over_replies_live_and_hands_back(page: Page, stack: Stack, admin: Person, client: httpx.Client) -> None:
    sign_in(page, stack, admin)
    page.get_by_label("Your status").select_option("online")
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
    expect(page.locator("#note")).to_contain_text("requested")
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
    expect(page.get_by_role("button", name="Take over")).to_be_disabled()
    assert client.get(f"/api/conversations/{conversation}/messages", headers=headers).json()["state"] == "bot"
    assert page.dialogs == []  # type: ignore[attr-defined]
    page.get_by_label("Your status").select_option("away")
