"""A customer asks the widget to e-mail the chat (#22 item 6): the real api sends it to a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.conftest import screenshots
from tests.browser.test_widget import WIDGET, open_demo, write
from tests.conftest import Mailbox

pytestmark = pytest.mark.browser


def test_a_customer_has_the_chat_e_mailed_from_the_widget(page: Page, stack: Stack, mailbox: Mailbox) -> None:
    open_demo(page, stack)
    write(page, "Kolik stojí doprava kurýrem?")
    expect(page.locator(f"{WIDGET} .msg.bot .source a")).to_be_visible(timeout=20_000)
    mail = page.get_by_role("button", name="Poslat přepis chatu e-mailem")
    box = mail.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44  # a finger's size on a phone
    mail.click()
    address = page.get_by_label("Váš e-mail")
    expect(address).to_be_focused()
    expect(page.locator(f"{WIDGET} .msg.bot .source").last).to_be_in_viewport(ratio=1)  # the form does not push the answer out of view
    address.fill("jana@example")  # no domain: said at once, nothing sent
    page.get_by_role("button", name="Poslat přepis").click()
    expect(page.locator(f"{WIDGET} .mail-error")).to_have_text("Tohle nevypadá jako e-mailová adresa.")
    address.fill("jana.dvorakova@example.com")
    screenshots(page, "widget-transcript-mail")
    page.get_by_role("button", name="Poslat přepis").click()
    expect(page.locator(f"{WIDGET} .status")).to_have_text("Přepis chatu jsme poslali na jana.dvorakova@example.com.")
    expect(address).to_be_hidden()
    expect(page.get_by_label("Napište zprávu…")).to_be_focused()  # back to the chat

    [sent] = [m for m in mailbox.messages if m["To"] == "jana.dvorakova@example.com"]
    assert "Kolik stojí doprava kurýrem?" in sent.get_content() and "Zdroj: " in sent.get_content()
    assert not [m for m in mailbox.messages if m["To"] == "jana@example"]
