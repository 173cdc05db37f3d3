"""The widget on another shop's page, in Chromium: the tea shop that writes in Czech and serves Czech and English
customers shows its own name and privacy link from its shop file, greets with the name and offers only its languages."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.tea_shop import TEA_SHOP_NAME, ShopClient

pytestmark = pytest.mark.browser
WIDGET = "#shopbot-widget"


def test_the_widget_shows_the_shops_name_and_languages_and_the_bot_greets_with_its_name(page: Page, czech_only_shop: ShopClient) -> None:
    page.goto(f"{czech_only_shop.base_url}/demo/")
    page.get_by_role("button", name="Otevřít chat").click()  # the page says lang="cs"
    expect(page.locator(f"{WIDGET} header h2")).to_have_text(f"{TEA_SHOP_NAME} – zákaznická podpora")  # its shop.yml's name: the page gives no title
    expect(page.get_by_role("link", name="Ochrana osobních údajů")).to_have_attribute("href", "https://listek.example/ochrana-osobnich-udaju")
    picker = page.get_by_label("Jazyk")
    expect(picker.locator("option")).to_have_text(["Čeština", "English"])  # not pl or lv: the shop does not serve them
    page.get_by_label("Napište zprávu…").fill("Dobrý den")
    page.get_by_label("Napište zprávu…").press("Enter")
    greeting = page.locator(f"{WIDGET} .msg.bot").last
    expect(greeting).to_contain_text(f"obchodu {TEA_SHOP_NAME}", timeout=20_000)
    expect(greeting).not_to_contain_text("Domovo")
    screenshot(page, "widget-other-shop")
