"""Nothing a person writes goes unseen (#22 items 2 and 3): the minimised widget counts an agent's replies on its
launcher, in the page title and with a quiet sound; the console does the same per chat for the chats not on screen."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.conftest import screenshots
from tests.browser.test_agent_console import sign_in
from tests.browser.test_widget import WIDGET, conversation_id, open_demo, write
from tests.conftest import Person
from tests.integration.chat import Console, say, start

pytestmark = pytest.mark.browser
# Counts the tones the page starts through Web Audio (the sound itself cannot be heard in a test)
COUNT_TONES = """window.__tones = 0;
const startTone = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones++; return startTone.apply(this, args); };"""


def tones(page: Page) -> int:
    return int(page.evaluate("window.__tones"))


def test_an_agent_reply_to_a_minimised_widget_shows_a_count_changes_the_title_and_chimes(page: Page, stack: Stack, client: httpx.Client,
                                                                                       admin: Person) -> None:
    page.add_init_script(COUNT_TONES)
    agent = Console(client, admin.email, admin.password)
    try:
        open_demo(page, stack)
        title = page.title()
        write(page, "Chci mluvit s živým člověkem, prosím.")
        expect(page.locator(f"{WIDGET} .msg.system").last).to_be_visible(timeout=20_000)
        conversation = conversation_id(page, stack)
        assert agent.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
        expect(page.locator(f"{WIDGET} .msg.system").last).to_contain_text("Alice")
        page.get_by_role("button", name="Zavřít chat").click()
        launcher = page.locator(f"{WIDGET} .launcher")
        badge = launcher.locator(".badge")
        expect(badge).to_be_hidden()
        before = tones(page)

        agent.post(f"/api/agent/conversations/{conversation}/messages", {"text": "Dobrý den, tady Alice."})
        expect(badge).to_have_text("1")
        expect(page).to_have_title(f"(1) {title}")
        expect(launcher).to_have_accessible_name("Otevřít chat (nepřečtené zprávy: 1)")  # what a screen reader says
        assert tones(page) == before + 1
        agent.post(f"/api/agent/conversations/{conversation}/messages", {"text": "Jste tam ještě?"})
        expect(badge).to_have_text("2")
        expect(page).to_have_title(f"(2) {title}")
        assert tones(page) == before + 2
        screenshots(page, "widget-unread-count")

        page.reload()  # still unread after a reload, and the old replies do not chime again
        expect(badge).to_have_text("2")
        expect(page).to_have_title(f"(2) {title}")
        assert tones(page) == 0

        launcher.click()  # seen
        expect(badge).to_be_hidden()
        expect(page).to_have_title(title)
        expect(launcher).to_have_accessible_name("Skrýt chat")  # while open it hides the chat (#22 item 9)

        mute = page.get_by_role("button", name="Ztlumit zvuky")
        expect(mute).to_have_attribute("aria-pressed", "false")
        mute.click()
        expect(mute).to_have_attribute("aria-pressed", "true")
        page.get_by_role("button", name="Zavřít chat").click()
        agent.post(f"/api/agent/conversations/{conversation}/messages", {"text": "Ozvěte se, až budete mít čas."})
        expect(badge).to_have_text("1")  # counted, but silently
        assert tones(page) == 0
        page.reload()
        page.get_by_role("button", name="Otevřít chat").click()
        expect(page.get_by_role("button", name="Ztlumit zvuky")).to_have_attribute("aria-pressed", "true")  # remembered
        assert agent.post(f"/api/agent/conversations/{conversation}/handback").status_code == 200
    finally:
        agent.put("/api/agent/presence", {"presence": "away"})
        agent.close()


def test_an_agent_holding_two_chats_sees_which_one_has_new_messages(page: Page, stack: Stack, client: httpx.Client, admin: Person) -> None:
    sign_in(page, stack, admin)  # Available: customers are queued
    page.evaluate("window.__chimes = 0; const original = window.chime; window.chime = () => { window.__chimes++; original(); }")
    jana, jana_headers = start(client, "en")
    say(client, jana, jana_headers, "My e-mail is jana.kralova@example.com")
    assert say(client, jana, jana_headers, "I want to talk to a human, please")["state"] == "waiting"
    petr, petr_headers = start(client, "en")
    assert say(client, petr, petr_headers, "Can I talk to a real person, please?")["state"] == "waiting"
    for conversation in (jana, petr):  # the agent takes both; Petr's stays on screen
        page.locator(f"#queue li[data-conversation='{conversation}']").click()
        page.get_by_role("button", name="Take over").click()
        expect(page.get_by_role("button", name="Hand back to the bot")).to_be_enabled()
    jana_item = page.locator(f"#active li[data-conversation='{jana}']")
    petr_item = page.locator(f"#active li[data-conversation='{petr}']")
    expect(jana_item).to_contain_text("jana.kralova@example.com")  # told apart by the customer's address
    expect(jana_item.locator(".unread")).to_be_hidden()
    expect(page.locator(f"#queue li[data-conversation='{petr}']")).to_have_count(0)  # the lists are up to date
    chimes = page.evaluate("window.__chimes")
    waiting = int(page.locator("#queue-count").inner_text())

    say(client, jana, jana_headers, "The parcel for order 55120 came damaged")  # not on screen
    expect(jana_item.locator(".unread")).to_have_text("1")
    expect(jana_item.locator(".unread")).to_have_attribute("aria-label", "1 unread")
    expect(jana_item).to_contain_text("The parcel for order 55120 came damaged")  # the latest message
    expect(page).to_have_title(f"({waiting + 1}) Agent console")
    assert page.evaluate("window.__chimes") == chimes + 1
    say(client, jana, jana_headers, "The box is crushed too")
    expect(jana_item.locator(".unread")).to_have_text("2")
    expect(jana_item).to_contain_text("The box is crushed too")

    say(client, petr, petr_headers, "Hello? Anyone there?")  # on screen: read as it comes
    expect(page.locator("#transcript")).to_contain_text("Hello? Anyone there?")
    expect(petr_item).to_contain_text("Hello? Anyone there?")
    expect(petr_item.locator(".unread")).to_be_hidden()
    assert page.evaluate("window.__chimes") == chimes + 2  # one per message in Jana's chat, none for Petr's
    screenshots(page, "console-unread-per-chat")

    jana_item.click()
    expect(page.locator("#transcript")).to_contain_text("The box is crushed too")
    expect(jana_item.locator(".unread")).to_be_hidden()
    expect(page).to_have_title(f"({waiting}) Agent console" if waiting else "Agent console")
    for conversation in (jana, petr):
        page.locator(f"#active li[data-conversation='{conversation}']").click()
        page.get_by_role("button", name="Close").click()
        expect(page.get_by_role("button", name="Close")).to_be_disabled()
    page.get_by_label("Your status").select_option("away")
