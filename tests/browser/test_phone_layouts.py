"""The agent console and the back office on a phone (390 x 844, #22 item 10): nothing runs off the side, the chat list
and the open chat are both reachable, primary actions are touch-sized, and tables scroll in their own box."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from runner.processes import Stack
from tests.browser.conftest import PHONE, fill_sign_in, screenshot
from tests.browser.test_agent_console import sign_in
from tests.conftest import Person
from tests.integration.chat import say, start

pytestmark = pytest.mark.browser
TOUCH = 44  # px: the smallest comfortable target for a finger (WCAG 2.5.5, Apple's and Google's guides)


def assert_no_sideways_scroll(page: Page) -> None:
    """The page itself never scrolls sideways on a phone: what does not fit wraps or scrolls in its own box."""
    wide, viewport = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert wide <= viewport, f"the page is {wide} px wide on a {viewport} px screen"


def assert_touch_sized(button: Locator) -> None:
    box = button.bounding_box()
    assert box and box["width"] >= TOUCH and box["height"] >= TOUCH, (button, box)


def test_an_agent_on_a_phone_opens_a_chat_from_the_list_replies_and_goes_back(page: Page, stack: Stack, admin: Person,
                                                                              client: httpx.Client) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, stack, admin)
    conversation, headers = start(client, "en")
    assert say(client, conversation, headers, "I want to talk to a human, please")["state"] == "waiting"
    item = page.locator(f"#queue li[data-conversation='{conversation}']")
    expect(item).to_be_in_viewport()
    screenshot(page, "console-phone-list")
    assert_no_sideways_scroll(page)

    item.click()
    expect(page.locator("#note")).to_contain_text("Asked for a person")
    expect(item).to_be_hidden()  # the chat has the whole screen
    expect(page.locator("#note")).to_be_in_viewport()
    take = page.get_by_role("button", name="Take over")
    for button in (take, page.get_by_role("button", name="Hand back to the bot"), page.get_by_role("button", name="Close"),
                   page.get_by_role("button", name="Send"), page.get_by_role("button", name="Conversations")):
        assert_touch_sized(button)
    assert_no_sideways_scroll(page)
    take.click()
    page.get_by_label("Reply").fill("Hello, this is Alice. How can I help?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#transcript li.agent").last).to_contain_text("this is Alice")
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()  # the composer stays at hand below a long chat
    screenshot(page, "console-phone-chat")
    assert_no_sideways_scroll(page)

    page.get_by_role("button", name="Conversations").click()  # back to the list
    expect(page.locator(f"#active li[data-conversation='{conversation}']")).to_be_in_viewport()
    expect(page.locator("#transcript")).to_be_hidden()
    page.locator(f"#active li[data-conversation='{conversation}']").click()
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("button", name="Close")).to_be_disabled()

    page.get_by_role("button", name="Conversations").click()
    page.get_by_role("button", name="Team and canned responses").click()  # an admin's page fits too
    expect(page.get_by_role("button", name="Add to the team")).to_be_visible()
    screenshot(page, "console-phone-admin")
    assert_no_sideways_scroll(page)
    page.get_by_label("Your status").select_option("away")


def test_an_editor_on_a_phone_reaches_every_tab_edits_an_entry_and_reads_the_figures(page: Page, stack: Stack, admin: Person,
                                                                                    client: httpx.Client) -> None:
    conversation, headers = start(client, "en")
    say(client, conversation, headers, "How much does delivery by courier cost?")  # a row in the figures
    page.set_viewport_size(PHONE)
    fill_sign_in(page, f"{stack.api_url}/console/office.html", admin)
    expect(page.get_by_text(f"{admin.name} (admin)")).to_be_visible()
    for tab in ("Knowledge", "Unanswered questions", "Analytics"):
        expect(page.get_by_role("button", name=tab, exact=True)).to_be_in_viewport(ratio=1)  # none runs off the screen
    expect(page.locator("#entry-list li").first).to_be_visible()
    screenshot(page, "office-phone-knowledge")
    assert_no_sideways_scroll(page)

    page.get_by_label("Search entries").fill("delivery-cost")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#entry-list li", has_text="delivery-cost").click()
    expect(page.locator("#entry-title")).to_have_text("Entry delivery-cost")
    expect(page.locator("#entry-title")).to_be_in_viewport()  # opened where the finger is, not below the whole list
    page.locator("#preview-question").fill("How much is the courier?")
    page.get_by_role("button", name="Preview the answer").click()
    expect(page.locator("#preview-hits tbody tr").first).to_be_visible()
    assert_touch_sized(page.get_by_role("button", name="Save"))
    screenshot(page, "office-phone-entry")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Entries", exact=True).click()  # back to the list
    expect(page.locator("#entry-list li", has_text="delivery-cost")).to_be_in_viewport()

    page.get_by_role("button", name="Analytics", exact=True).click()
    table = page.locator("#per-language")
    expect(table.locator("tbody tr").first).to_be_visible()
    screenshot(page, "office-phone-analytics")
    assert_no_sideways_scroll(page)
    box = table.locator("xpath=..")  # the table scrolls sideways inside its own box, not the page
    assert box.evaluate("node => node.scrollWidth > node.clientWidth && getComputedStyle(node).overflowX === 'auto'")

    page.get_by_role("button", name="Unanswered questions", exact=True).click()
    expect(page.locator("#groups li").first).to_be_visible(timeout=60_000)
    assert_no_sideways_scroll(page)
    screenshot(page, "office-phone-unanswered")
