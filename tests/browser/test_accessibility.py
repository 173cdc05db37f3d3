"""axe-core (through axe-playwright-python) on the demo shop page with the widget, closed, open, and after an answer
with a source and choices: no serious or critical violation, whatever a shop's own page may have."""
from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.test_widget import WIDGET, open_demo, write

pytestmark = pytest.mark.browser
SERIOUS = {"serious", "critical"}


def widget_violations(page: Page) -> list[str]:
    """Serious and critical axe violations inside the widget, one line each (rule, impact, the offending element)."""
    results: dict[str, Any] = Axe().run(page, context={"include": [[WIDGET]]}).response
    return [f"{v['id']} ({v['impact']}): {node['html'][:160]}" for v in results["violations"] if v["impact"] in SERIOUS
            for node in v["nodes"]]


def test_the_widget_closed_open_and_answering_has_no_serious_accessibility_violation(page: Page, stack: Stack) -> None:
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
