"""axe-core (through axe-playwright-python) on the demo shop page with the widget, closed, open, and after an answer
with a source and choices: no serious or critical violation, whatever a shop's own page may have."""
from __future__ import annotations

from typing import Any, Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.conftest import screenshots
from tests.browser.test_widget import WIDGET, open_demo, write

pytestmark = pytest.mark.browser
SERIOUS = {"serious", "critical"}


def widget_violations(page: Page) -> list[str]:
    """Serious and critical axe violations inside the widget, one line each (rule, impact, the offending element)."""
    results: dict[str, Any] = Axe().run(page, context={"include": [[WIDGET]]}).response
    return [f"{v['id']} ({v['impact']}): {node['html'][:160]}" for v in results["violations"] if v["impact"] in SERIOUS
            for node in v["nodes"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_widget_closed_open_and_answering_has_no_serious_accessibility_violation(page: Page, stack: Stack, scheme: Literal["light", "dark"]) -> None:
    page.emulate_media(color_scheme=scheme)  # as the visitor's system is set
    page.goto(f"{stack.api_url}/demo/")
    expect(page.get_by_role("button", name="Otevřít chat")).to_be_visible()
    assert widget_violations(page) == []

    open_demo(page, stack)
    assert widget_violations(page) == []

    write(page, "Kolik stojí doprava kurýrem?")
    expect(page.locator(f"{WIDGET} .msg.bot .source a")).to_be_visible(timeout=20_000)
    write(page, "Mám problém s objednávkou")  # several entries fit: answered with choices as buttons
    expect(page.locator(f"{WIDGET} .msg.bot").last).to_be_visible(timeout=20_000)
    assert widget_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_light_brand_colour_still_gives_readable_text(page: Page, stack: Stack, scheme: Literal["light", "dark"]) -> None:
    """A shop that picks yellow (#ffd400): white on it was 1.43:1. The widget picks its own text colours."""
    page.emulate_media(color_scheme=scheme)
    page.set_content(f'<!doctype html><html lang="cs"><head><title>Obchod</title></head><body><main><h1>Obchod</h1></main>'
                     f'<script src="{stack.api_url}/widget/widget.js" data-api="{stack.api_url}" data-color="#ffd400"></script></body></html>')
    page.get_by_role("button", name="Otevřít chat").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert widget_violations(page) == []
    header = page.locator(f"{WIDGET} header")
    assert header.evaluate("node => getComputedStyle(node).color") == "rgb(17, 17, 17)"  # dark text on the yellow


def test_the_launcher_says_what_it_does_and_a_pressed_choice_keeps_the_keyboard_in_the_chat(page: Page, stack: Stack) -> None:
    open_demo(page, stack)
    expect(page.locator(f"{WIDGET} .launcher")).to_have_accessible_name("Skrýt chat")  # not "open" while open
    write(page, "Mám problém s objednávkou")  # several entries fit: choices
    choice = page.locator(f"{WIDGET} .choices button").first
    expect(choice).to_be_visible(timeout=20_000)
    choice.click()
    expect(page.get_by_label("Napište zprávu…")).to_be_focused()


def background(page: Page, selector: str) -> str:
    return str(page.locator(f"{WIDGET} {selector}").first.evaluate("node => getComputedStyle(node).backgroundColor"))


def test_the_widget_follows_a_dark_colour_scheme_unless_the_shop_keeps_it_light(page: Page, stack: Stack) -> None:
    """A visitor whose system is dark gets a dark chat (not a white panel at night); the brand's own colour stays, and
    text in it is lightened to read on the dark bubbles (axe checks the contrast above)."""
    page.emulate_media(color_scheme="dark")
    open_demo(page, stack)
    write(page, "Kolik stojí doprava kurýrem?")
    link = page.locator(f"{WIDGET} .msg.bot .source a")
    expect(link).to_be_visible(timeout=20_000)
    assert background(page, ".panel") == "rgb(31, 32, 35)" and background(page, ".msg.bot") == "rgb(42, 44, 49)"
    assert background(page, ".msg.customer") == "rgb(36, 48, 63)"  # the demo shop's #24303f
    assert page.locator(WIDGET).evaluate("node => getComputedStyle(node.shadowRoot.querySelector('.log')).color") == "rgb(232, 234, 237)"
    assert link.evaluate("node => getComputedStyle(node).color") != "rgb(36, 48, 63)"  # lightened: #24303f on the dark bubble is 1.2:1
    screenshots(page, "widget-dark")

    page.evaluate("localStorage.clear()")  # a new visitor, on a shop page that keeps its widget light
    page.set_content(f'<!doctype html><html lang="cs"><head><title>Obchod</title></head><body><main><h1>Obchod</h1></main>'
                     f'<script src="{stack.api_url}/widget/widget.js" data-api="{stack.api_url}" data-color-scheme="light"></script></body></html>')
    page.get_by_role("button", name="Otevřít chat").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert background(page, ".panel") == "rgb(255, 255, 255)"  # the shop chose light
