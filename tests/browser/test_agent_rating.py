"""Issue #22 item 6 in Chromium: a customer rates the agent who helped them, in the widget, after the agent closed the
chat in the console; the back office shows that agent's figures. Screenshots on a desktop and a phone."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from runner.processes import Stack
from tests.browser.conftest import DESKTOP, fill_sign_in, screenshots
from tests.browser.test_accessibility import widget_violations
from tests.browser.test_agent_console import sign_in
from tests.browser.test_widget import WIDGET, conversation_id, open_demo, write
from tests.conftest import Person, add_agent
from tests.integration.chat import database_rows, wait_for_availability

pytestmark = pytest.mark.browser


def closed_by_agent(page: Page, console: Page, stack: Stack) -> str:
    """A customer on the demo page asks for a person; the agent signed in on `console` takes the chat and closes it."""
    open_demo(page, stack)
    write(page, "Chci mluvit s operátorem, prosím.")
    expect(page.locator(f"{WIDGET} .status")).to_contain_text("Jste ve frontě na", timeout=20_000)
    conversation = conversation_id(page, stack)
    console.locator(f"#queue li[data-conversation='{conversation}']").click()
    console.get_by_role("button", name="Take over").click()
    close = console.get_by_role("button", name="Close")
    expect(close).to_be_enabled()
    close.click()
    expect(close).to_be_disabled()
    return conversation


def test_a_customer_rates_the_agent_who_closed_the_chat_and_the_back_office_shows_it(
        page: Page, browser: Browser, stack: Stack, client: httpx.Client, admin: Person) -> None:
    barbora = add_agent(stack.settings, "Barbora")
    agents_desk = browser.new_context(viewport=DESKTOP)  # the agent's own browser
    console = agents_desk.new_page()
    try:
        sign_in(console, stack, barbora)
        wait_for_availability(client, online=True)
        conversation = closed_by_agent(page, console, stack)
        console.get_by_label("Your status").select_option("away")
    finally:
        agents_desk.close()

    question = page.locator(f"{WIDGET} .msg.system", has_text="Jak vám pomohl(a) Barbora?")
    expect(question).to_be_visible()
    expect(question.get_by_role("button")).to_have_text(["1", "2", "3", "4", "5"])
    assert widget_violations(page) == []
    screenshots(page, "widget-rate-the-agent")
    question.get_by_role("button", name="5").click()
    expect(page.locator(f"{WIDGET} .msg.system").last).to_have_text("Děkujeme za vaše hodnocení!")
    expect(question.get_by_role("button", name="5")).to_have_attribute("aria-pressed", "true")
    assert database_rows(stack, "select r.score, a.name from ratings r join handoffs h on h.id = r.handoff_id join agents a on a.id = h.agent_id "
                                "where r.conversation_id = ?", conversation) == [(5, "Barbora")]
    screenshots(page, "widget-agent-rated")
    for scheme in ("light", "dark"):  # the score given stands out, readable in either scheme
        page.emulate_media(color_scheme=scheme)
        assert widget_violations(page) == [], scheme

    fill_sign_in(page, f"{stack.api_url}/console/office.html", admin)
    page.get_by_role("button", name="Analytics").click()
    expect(page.locator("#per-agent tbody tr", has_text="Barbora").locator("td")).to_have_text(["Barbora", "1", "5", "100 %"])
    page.locator("#per-agent").scroll_into_view_if_needed()
    screenshots(page, "office-per-agent-ratings")


def test_a_customer_rates_two_with_a_comment_and_the_agent_sees_both_live_and_after_a_reload(
        page: Page, browser: Browser, stack: Stack, client: httpx.Client) -> None:
    marek = add_agent(stack.settings, "Marek")
    agents_desk = browser.new_context(viewport=DESKTOP)  # the agent's own browser, open while the customer rates
    console = agents_desk.new_page()
    try:
        sign_in(console, stack, marek)
        wait_for_availability(client, online=True)
        conversation = closed_by_agent(page, console, stack)
        asked = console.locator("#transcript li.rating")  # the question is a system line for the agent, not the customer's text
        expect(asked).to_have_text(re.compile("Asked the customer to rate the help .*not rated yet"))
        expect(console.locator("#transcript")).not_to_contain_text("Ohodnoťte to prosím")

        question = page.locator(f"{WIDGET} .msg.system", has_text="Jak vám pomohl(a) Marek?")
        question.get_by_role("button", name="2").click()
        comment = page.get_by_label("Je něco, co bychom mohli zlepšit? (nepovinné)")
        expect(comment).to_be_focused()  # the keyboard goes on to the optional comment
        expect(asked).to_contain_text("2 / 5")  # the score reaches the agent at once
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert widget_violations(page) == [], scheme
        page.emulate_media(color_scheme="light")
        screenshots(page, "widget-agent-rating-comment")

        comment.evaluate("node => node.removeAttribute('maxlength')")  # past the field's own limit: the api's reason is shown
        comment.fill("x" * 2001)
        comment.press("Enter")
        expect(page.locator(f"{WIDGET} .comment-error")).to_contain_text("2000")
        words = "Rychlé, ale můj problém to nevyřešilo."
        comment.fill(words)
        comment.press("Enter")  # Enter sends
        expect(page.locator(f"{WIDGET} .msg.system").last).to_have_text("Děkujeme za zpětnou vazbu – pomáhá nám se zlepšovat. Hezký den!")
        expect(comment).to_be_hidden()
        expect(page.get_by_label("Napište zprávu…")).to_be_focused()
        assert database_rows(stack, "select r.score, r.comment from ratings r where r.conversation_id = ? and r.handoff_id is not null",
                             conversation) == [(2, words)]
        expect(asked).to_contain_text(words)  # live, without a reload
        screenshots(console, "console-agent-rating")

        console.reload()  # and on reload: from the ratings list to the chat's transcript
        expect(console.locator("#connection")).to_have_text("Live")
        console.locator("#ratings li", has_text=words).click()
        expect(console.locator("#transcript li.rating")).to_contain_text("2 / 5")
        expect(console.locator("#transcript li.rating")).to_contain_text(words)

        page.reload()  # the customer changes their mind later and leaves the comment by Escape: the words stay
        question.get_by_role("button", name="4").click()
        expect(comment).to_be_focused()
        comment.press("Escape")
        expect(comment).to_be_hidden()
        expect(page.get_by_role("dialog")).to_be_visible()  # Escape left the field, not the chat
        expect(page.get_by_label("Napište zprávu…")).to_be_focused()
        assert database_rows(stack, "select r.score, r.comment from ratings r where r.conversation_id = ? and r.handoff_id is not null",
                             conversation) == [(4, words)]
        expect(console.locator("#transcript li.rating")).to_contain_text("4 / 5")
        console.get_by_label("Your status").select_option("away")
    finally:
        agents_desk.close()
