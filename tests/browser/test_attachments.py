"""A customer sends a photo of a broken product from the widget; the agent sees it in the console's transcript. A file
that is no photo or PDF is refused in the widget with the reason. Chromium, through the demo page and the console."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from runner.processes import Stack
from tests.browser.conftest import DESKTOP, screenshots
from tests.browser.test_agent_console import sign_in
from tests.browser.test_widget import WIDGET, open_demo, write
from tests.conftest import Person
from tests.images import png

pytestmark = pytest.mark.browser


def pick_file(page: Page, path: Path) -> None:
    """As a customer does: the paperclip button, then the system's file chooser."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Přiložit fotku nebo PDF").click()
    chooser.value.set_files(str(path))


def test_a_photo_sent_from_the_widget_is_seen_by_the_agent(page: Page, browser: Browser, stack: Stack, admin: Person,
                                                           tmp_path: Path) -> None:
    console = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(console, stack, admin)  # Available: the customer is queued for a person
    photo = tmp_path / "rozbitý hrnek.png"
    photo.write_bytes(png(48, 32, (200, 30, 30)))

    open_demo(page, stack)
    pick_file(page, photo)
    sent = page.locator(f"{WIDGET} .msg.customer", has_text="rozbitý hrnek.png")
    expect(sent).to_be_visible(timeout=20_000)
    expect(sent.locator("a.file-link")).to_contain_text("kB")
    expect(page.locator(f"{WIDGET} .msg.system").last).to_contain_text("soubor")  # who will see it, in Czech
    write(page, "Chci mluvit s operátorem")
    expect(page.locator(f"{WIDGET} .status")).to_contain_text("ve frontě", timeout=20_000)
    screenshots(page, "widget-photo-sent")

    console.locator("#queue li", has_text="Chci mluvit s operátorem").click()
    image = console.locator("#transcript .attachment img")
    expect(image).to_have_attribute("alt", "Photo from the customer: rozbitý hrnek.png")
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 48  # the bytes themselves, shown
    screenshots(console, "console-customer-photo")
    console.get_by_label("Your status").select_option("away")
    console.context.close()


def test_a_file_that_is_no_photo_or_pdf_is_refused_with_the_reason(page: Page, stack: Stack, client: httpx.Client, tmp_path: Path) -> None:
    fake = tmp_path / "faktura.png"
    fake.write_text("<html><script>alert(1)</script></html>", encoding="utf-8")
    open_demo(page, stack)
    pick_file(page, fake)
    expect(page.locator(f"{WIDGET} .status")).to_contain_text("Soubor se nepodařilo odeslat", timeout=20_000)
    expect(page.locator(f"{WIDGET} .status")).to_contain_text("JPEG, PNG")
    assert page.locator(f"{WIDGET} .msg.customer").count() == 0
