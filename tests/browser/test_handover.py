"""Issue #22 in Chromium: nobody online shown up front, a ticket instead of a dead end, the way back from the queue,
a console that does not offer a ticket as a chat, and agents Available when they sign in. Widget screenshots on a
desktop (1280 x 800) and a phone (390 x 844)."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.conftest import screenshot, screenshots
from tests.browser.test_agent_console import sign_in
from tests.browser.test_widget import WIDGET, conversation_id, messages, open_demo, write
from tests.conftest import Person
from tests.integration.chat import Console, database_rows, say, start, wait_for_availability

pytestmark = pytest.mark.browser
BACK_TO_BOT = "Zpět k asistentovi"


def test_the_widget_says_nobody_is_online_before_the_customer_asks(page: Page, stack: Stack, client: httpx.Client, admin: Person) -> None:
    wait_for_availability(client, online=False)
    open_demo(page, stack)
    availability = page.locator(f"{WIDGET} .availability")
    expect(availability).to_have_text("Teď nikdo z kolegů není online – odpovíme e-mailem do 24 h")
    assert conversation_id(page, stack) is None  # known before any conversation exists
    screenshots(page, "widget-nobody-online")

    agent = Console(client, admin.email, admin.password)
    try:
        wait_for_availability(client, online=True)
        page.reload()
        expect(availability).to_have_text("Kolegové jsou teď online")
    finally:
        agent.close()


def test_asking_for_a_person_with_nobody_online_ends_in_a_ticket_and_the_bot_answers_on(page: Page, stack: Stack, client: httpx.Client) -> None:
    wait_for_availability(client, online=False)
    open_demo(page, stack)
    write(page, "Chci mluvit s člověkem, prosím.")
    asked = messages(page, "bot").last
    expect(asked).to_contain_text("není online", timeout=20_000)
    expect(asked).to_contain_text("e-mail")
    status = page.locator(f"{WIDGET} .status")
    expect(status).not_to_contain_text("front")  # no place in a queue nobody serves
    expect(page.get_by_role("button", name=BACK_TO_BOT)).to_be_hidden()

    write(page, "jan.novak@example.com")
    ticket = page.locator(f"{WIDGET} .msg.system").last
    expect(ticket).to_contain_text("jan.novak@example.com", timeout=20_000)
    expect(ticket).to_contain_text("Požadavek T-")
    expect(status).to_contain_text("odpovíme na jan.novak@example.com do 24 h")
    screenshots(page, "widget-ticket-filed")

    write(page, "Kolik stojí doprava kurýrem?")
    expect(page.locator(f"{WIDGET} .msg.bot .source")).to_be_visible(timeout=20_000)  # the bot answers on
    conversation = conversation_id(page, stack)
    assert database_rows(stack, "select state from conversations where id = ?", conversation) == [("bot",)]

    page.reload()
    expect(status).to_contain_text("Požadavek T-")  # the reloaded widget knows the ticket
    expect(status).not_to_contain_text("front")
    expect(page.locator(f"{WIDGET} .msg.bot .source")).to_have_count(1)


def test_a_waiting_customer_goes_back_to_the_bot_with_one_button(page: Page, stack: Stack, client: httpx.Client, admin: Person) -> None:
    agent = Console(client, admin.email, admin.password)
    try:
        open_demo(page, stack)
        expect(page.locator(f"{WIDGET} .availability")).to_have_text("Kolegové jsou teď online")
        write(page, "Chci mluvit s operátorem, prosím.")
        status = page.locator(f"{WIDGET} .status")
        expect(status).to_contain_text("Jste ve frontě na", timeout=20_000)
        write(page, "haló? je tam někdo?")
        expect(page.locator(f"{WIDGET} .msg.system").last).to_contain_text("předali kolegům", timeout=20_000)  # heard, not silence
        conversation = conversation_id(page, stack)
        agent.live.wait_for(lambda e: e.get("conversation_id") == conversation and e.get("text") == "haló? je tam někdo?")

        page.reload()  # the reloaded widget still knows its place and the way back
        expect(status).to_contain_text("Jste ve frontě na")
        back = page.get_by_role("button", name=BACK_TO_BOT)
        expect(back).to_be_visible()
        screenshots(page, "widget-waiting-in-the-queue")

        back.click()
        expect(back).to_be_hidden()
        expect(page.locator(f"{WIDGET} .msg.system").last).to_contain_text("virtuální asistent")
        expect(status).not_to_contain_text("front")
        write(page, "Kolik stojí doprava kurýrem?")
        expect(page.locator(f"{WIDGET} .msg.bot .source")).to_be_visible(timeout=20_000)
        assert conversation not in [item["conversation_id"] for item in agent.get("/api/agent/queue").json()]
        screenshots(page, "widget-back-with-the-bot")
    finally:
        agent.put("/api/agent/presence", {"presence": "away"})
        agent.close()


def test_the_console_does_not_offer_a_ticketed_chat_or_a_cancelled_one_to_take(page: Page, stack: Stack, client: httpx.Client,
                                                                             admin: Person) -> None:
    wait_for_availability(client, online=False)
    ticketed, headers = start(client, "en")
    say(client, ticketed, headers, "I want to talk to a human, please")
    say(client, ticketed, headers, "my e-mail is eva.smith@example.com")

    sign_in(page, stack, admin)
    expect(page.locator("#tickets li", has_text="eva.smith@example.com")).to_contain_text("T-")
    expect(page.locator("#queue li", has_text="eva.smith")).to_have_count(0)
    console = Console(client, admin.email, admin.password)
    try:
        assert console.post(f"/api/agent/conversations/{ticketed}/take").status_code == 409

        waiting, headers = start(client, "en")
        assert say(client, waiting, headers, "Please get me a human agent")["state"] == "waiting"
        say(client, waiting, headers, "It's about order 55213")  # what the queue shows
        page.locator("#queue li", has_text="order 55213").click()
        take = page.get_by_role("button", name="Take over")
        expect(take).to_be_enabled()
        assert client.delete(f"/api/conversations/{waiting}/handoff", headers=headers).status_code == 200  # the customer went back
        expect(take).to_be_disabled()  # the open chat is no longer offered
        expect(page.locator("#queue li", has_text="order 55213")).to_have_count(0)
        screenshot(page, "console-ticket-not-in-the-queue")
    finally:
        console.put("/api/agent/presence", {"presence": "away"})
        console.close()


def test_an_agent_is_available_as_soon_as_they_sign_in(page: Page, stack: Stack, client: httpx.Client, admin: Person) -> None:
    earlier = Console(client, admin.email, admin.password, online=False)  # Away at the end of an earlier session
    earlier.close()
    sign_in(page, stack, admin)
    status = page.get_by_label("Your status")
    expect(status).to_have_value("online")
    expect(status.locator("option:checked")).to_have_text("Available")
    wait_for_availability(client, online=True)
    conversation, headers = start(client, "en")
    assert say(client, conversation, headers, "Can I talk to a real person, please?")["state"] == "waiting"  # a person, not a ticket
    say(client, conversation, headers, "It's about order 77014")  # what the queue shows
    expect(page.locator("#queue li", has_text="order 77014")).to_be_visible()
    screenshot(page, "console-available-after-sign-in")
    status.select_option("away")
    wait_for_availability(client, online=False)
    client.delete(f"/api/conversations/{conversation}/handoff", headers=headers)
