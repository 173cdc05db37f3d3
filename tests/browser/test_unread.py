"""Nothing a person writes goes unseen (#22 items 2 and 3): the minimised widget counts an agent's replies on its
launcher, in the page title and with a quiet sound; the console does the same per chat for the chats not on screen."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.conftest import screenshots
from tests.browser.test_widget import WIDGET, conversation_id, open_demo, write
from tests.conftest import Person
from tests.integration.chat import Console

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
        expect(launcher).to_have_accessible_name("Otevřít chat")

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

