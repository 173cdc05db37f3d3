"""The agent console and the back office follow the agent's light or dark setting (#22 item 9) and keep their text readable
in both: axe-core's contrast rule on a page with a chat open, and on the back office's figures."""
from __future__ import annotations

from typing import Any, Literal

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from runner.processes import Stack
from tests.browser.conftest import screenshot
from tests.browser.test_agent_console import sign_in
from tests.conftest import Person
from tests.integration.chat import say, start

pytestmark = pytest.mark.browser
SERIOUS = {"serious", "critical"}


def contrast_violations(page: Page) -> list[str]:
    """Text too faint on its background (axe's color-contrast rule, serious or worse), one line per element."""
    results: dict[str, Any] = Axe().run(page, options={"runOnly": ["color-contrast"]}).response
    return [f"{node['html'][:160]}: {node['failureSummary'][:200]}" for v in results["violations"] if v["impact"] in SERIOUS
            for node in v["nodes"]]


def page_background(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


@pytest.mark.parametrize(("scheme", "background"), [("light", "rgb(246, 247, 249)"), ("dark", "rgb(22, 23, 26)")])
def test_the_console_and_the_back_office_follow_the_colour_scheme_and_stay_readable(
        page: Page, stack: Stack, admin: Person, client: httpx.Client, scheme: Literal["light", "dark"], background: str) -> None:
    page.emulate_media(color_scheme=scheme)
    sign_in(page, stack, admin)  # Available: the customer is queued
    conversation, headers = start(client, "en")
    say(client, conversation, headers, "How much does delivery by courier cost?")
    assert say(client, conversation, headers, "I want to talk to a human, please")["state"] == "waiting"
    page.locator(f"#queue li[data-conversation='{conversation}']").click()
    expect(page.locator("#note")).to_contain_text("Asked for a person")
    assert page_background(page) == background
    assert contrast_violations(page) == []
    screenshot(page, f"console-{scheme}")
    client.delete(f"/api/conversations/{conversation}/handoff", headers=headers)  # out of the queue other tests read
    with page.expect_response("**/api/agent/presence"):  # Away before the page is left: nobody online for the next tests
        page.get_by_label("Your status").select_option("away")

    page.goto(f"{stack.api_url}/console/office.html")  # the same session
    expect(page.get_by_text(f"{admin.name} (admin)")).to_be_visible()
    page.get_by_role("button", name="Analytics", exact=True).click()
    expect(page.locator("#per-language tbody tr").first).to_be_visible()
    assert page_background(page) == background
    assert contrast_violations(page) == []
    screenshot(page, f"office-analytics-{scheme}")
