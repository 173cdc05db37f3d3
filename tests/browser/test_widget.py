"""The website widget on the demo shop page, in Chromium: answers with sources, reload, buttons, a person live, outages."""
from __future__ import annotations

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from api.settings import ROOT
from runner.processes import Stack
from tests.browser.conftest import screenshot, screenshots, store_bot_reply
from tests.conftest import Person
from tests.integration.chat import Console, database_rows, start

pytestmark = pytest.mark.browser
WIDGET = "#shopbot-widget"


def open_demo(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.api_url}/demo/")
    page.get_by_role("button", name="Otevřít chat").click()  # the page says lang="cs": the widget speaks Czech
    expect(page.get_by_role("dialog")).to_be_visible()


def write(page: Page, text: str) -> None:
    page.get_by_label("Napište zprávu…").fill(text)
    page.get_by_label("Napište zprávu…").press("Enter")


def messages(page: Page, sender: str):  # type: ignore[no-untyped-def]
    return page.locator(f"{WIDGET} .msg.{sender}")


def conversation_id(page: Page, stack: Stack) -> str:
    return page.evaluate(f"JSON.parse(localStorage.getItem('shopbot:{stack.api_url}')).id")


def test_a_czech_question_is_answered_with_a_source_link_and_survives_a_reload(page: Page, stack: Stack) -> None:
    open_demo(page, stack)
    # styled under the demo page's policy without 'unsafe-inline' (an inline <style> would be refused, the panel unstyled)
    assert page.locator(f"{WIDGET} .panel").evaluate("node => getComputedStyle(node).position") == "fixed"
    write(page, "Kolik stojí doprava kurýrem?")
    source = page.locator(f"{WIDGET} .msg.bot .source a")
    expect(source).to_be_visible(timeout=20_000)
    href = source.get_attribute("href", timeout=1000)
    assert href is not None and href.startswith("https://")
    expect(messages(page, "bot").last).to_contain_text("Zdroj:")
    expect(messages(page, "customer").last).not_to_have_class("pending")
    screenshot(page, "widget-answer-with-source")

    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # it stays open across reloads
    expect(messages(page, "customer")).to_have_text(["VyKolik stojí doprava kurýrem?"])
    expect(page.locator(f"{WIDGET} .msg.bot .source a")).to_have_count(1)


def test_a_source_link_that_is_not_a_web_or_email_address_is_shown_as_text(page: Page, stack: Stack, client: httpx.Client) -> None:
    """A `javascript:` link that reached a stored reply (e.g. from an index built before the loader refused it) never becomes clickable."""
    conversation, headers = start(client, "cs")
    store_bot_reply(stack, conversation, "Doprava stojí 89 Kč.", {"id": "a", "title": "Zlý odkaz", "score": 0.9,
                                                                   "link": "JavaScript:window.__ran = 1"})
    store_bot_reply(stack, conversation, "Platit můžete kartou.", {"id": "b", "title": "Dobrý odkaz", "score": 0.9, "link": "/pomoc/platba"})
    page.goto(f"{stack.api_url}/demo/")
    token = headers["Authorization"].split()[1]
    page.evaluate("([key, saved]) => localStorage.setItem(key, JSON.stringify(saved))",
                  [f"shopbot:{stack.api_url}", {"id": conversation, "token": token, "open": True}])
    page.reload()
    expect(page.locator(f"{WIDGET} .source", has_text="Zlý odkaz")).to_be_visible(timeout=20_000)
    assert page.locator(f"{WIDGET} .source a", has_text="Zlý odkaz").count() == 0
    assert sorted(page.locator(f"{WIDGET} [href]").evaluate_all("nodes => nodes.map(n => n.getAttribute('href'))")) == [
        f"{stack.api_url}/pomoc/platba", "https://domovo.example/privacy"]  # a path on the shop's site stays a link; the shop file's privacy link


def test_a_button_choice_carries_the_claim_on(page: Page, stack: Stack) -> None:
    open_demo(page, stack)
    write(page, "Přišel mi rozbitý mixér, skleněná nádoba je prasklá. Chci ho reklamovat.")
    expect(messages(page, "bot").last).to_contain_text("objednávky", timeout=20_000)  # asks for the order number
    write(page, "objednávka 45120")
    choice = page.locator(f"{WIDGET} .choices button").nth(1)
    expect(choice).to_be_visible(timeout=20_000)
    chosen = choice.inner_text()
    choice.click()
    expect(messages(page, "customer").last).to_contain_text(chosen)
    expect(messages(page, "bot").last).to_contain_text("45120", timeout=20_000)  # the summary before filing
    screenshot(page, "widget-claim-summary")


def test_a_person_takes_over_and_their_reply_appears_live(page: Page, stack: Stack, client: httpx.Client, admin: Person) -> None:
    agent = Console(client, admin.email, admin.password)
    try:
        open_demo(page, stack)
        write(page, "Chci mluvit s živým člověkem, prosím.")
        expect(page.locator(f"{WIDGET} .msg.system").last).to_be_visible(timeout=20_000)
        conversation = conversation_id(page, stack)
        assert agent.post(f"/api/agent/conversations/{conversation}/take").status_code == 200
        expect(page.locator(f"{WIDGET} .msg.system").last).to_contain_text("Alice")  # joined, in Czech
        agent.live.send({"type": "typing", "conversation_id": conversation, "active": True})
        expect(page.locator(f"{WIDGET} .status")).to_contain_text("píše")
        agent.post(f"/api/agent/conversations/{conversation}/messages", {"text": "Dobrý den, tady Alice. Jak vám mohu pomoci?"})
        expect(messages(page, "agent").last).to_contain_text("tady Alice")
        markup = '<img src=x onerror="alert(1)"><b>tučně</b>'
        agent.post(f"/api/agent/conversations/{conversation}/messages", {"text": markup})
        expect(messages(page, "agent").last).to_contain_text(markup)  # shown as text
        assert page.locator(f"{WIDGET} .msg img, {WIDGET} .msg b").count() == 0 and page.dialogs == []  # type: ignore[attr-defined]
        screenshot(page, "widget-agent-live")
        assert agent.post(f"/api/agent/conversations/{conversation}/handback").status_code == 200
    finally:
        agent.put("/api/agent/presence", {"presence": "away"})
        agent.close()


def test_the_api_going_down_mid_conversation_loses_no_message(page: Page, stack: Stack) -> None:
    open_demo(page, stack)
    write(page, "Dobrý den")
    expect(messages(page, "bot")).to_have_count(2, timeout=20_000)  # the widget's greeting and the bot's
    conversation = conversation_id(page, stack)
    stack.stop_api()
    try:
        write(page, "Jak dlouho trvá doručení na Slovensko?")
        expect(page.get_by_role("alert")).to_contain_text("uložen")  # told plainly; the text is kept
        screenshot(page, "widget-offline")
        expect(messages(page, "customer").last).to_have_class("msg customer pending")
    finally:
        stack.start_api()
    expect(messages(page, "customer").last).not_to_have_class("msg customer pending", timeout=30_000)
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(messages(page, "bot").last).not_to_have_text("Dobrý den", timeout=20_000)
    stored = database_rows(stack, "select count(*) from messages where conversation_id = ? and text = ?", conversation,
                           "Jak dlouho trvá doručení na Slovensko?")
    assert stored == [(1,)]  # delivered exactly once


def test_a_phone_sized_screen_is_usable(browser: Browser, stack: Stack) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_demo(page, stack)
        panel = page.get_by_role("dialog").bounding_box()
        assert panel and panel["width"] <= 390 and panel["x"] >= 0  # nothing off screen
        write(page, "Kolik stojí doprava kurýrem?")
        expect(page.locator(f"{WIDGET} .msg.bot .source")).to_be_visible(timeout=20_000)
        send = page.get_by_role("button", name="Odeslat").bounding_box()
        assert send and send["height"] >= 40 and send["x"] + send["width"] <= 390  # a thumb-sized target, on screen
        screenshot(page, "widget-phone")
    finally:
        context.close()


def test_the_customer_can_switch_language(page: Page, stack: Stack) -> None:
    open_demo(page, stack)
    write(page, "Dobrý den")
    expect(messages(page, "bot")).to_have_count(2, timeout=20_000)
    page.get_by_label("Jazyk").select_option("lv")
    expect(page.get_by_label("Uzrakstiet ziņu…")).to_be_visible()  # the widget itself switched
    page.get_by_label("Uzrakstiet ziņu…").fill("ok")
    page.get_by_label("Uzrakstiet ziņu…").press("Enter")
    expect(messages(page, "bot")).to_have_count(3, timeout=20_000)
    variants = [v["text"] for v in yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]["utter_how_can_i_help"]
                if any(c.get("value") == "lv" for c in v.get("condition", []))]
    assert any(v in messages(page, "bot").last.inner_text() for v in variants)  # and so did the bot


def test_a_customer_writing_faster_than_allowed_is_told_so_and_nothing_is_lost(page: Page, limited_api: str) -> None:
    """On the api with tight limits (2 messages per 5 s per conversation) three quick messages: the third waits."""
    page.goto(f"{limited_api}/demo/")
    page.get_by_role("button", name="Otevřít chat").click()
    for text in ("Dobrý den", "Kolik stojí doprava?", "A jak dlouho trvá?"):
        write(page, text)
    status = page.locator(f"{WIDGET} .status")
    expect(status).to_contain_text("Píšete rychleji", timeout=20_000)
    expect(messages(page, "customer").last).to_have_class("msg customer pending")  # still in the outbox, on screen
    expect(messages(page, "customer").last).not_to_have_class("msg customer pending", timeout=20_000)
    expect(messages(page, "bot")).to_have_count(4, timeout=20_000)  # greeting + one answer per message
    saved = page.evaluate(f"JSON.parse(localStorage.getItem('shopbot:{limited_api}'))")
    transcript = httpx.get(f"{limited_api}/api/conversations/{saved['id']}/messages", headers={"Authorization": f"Bearer {saved['token']}"}).json()
    assert [m["text"] for m in transcript["messages"] if m["sender"] == "customer"] == ["Dobrý den", "Kolik stojí doprava?", "A jak dlouho trvá?"]


def test_the_widget_speaks_the_language_the_conversation_is_in(page: Page, stack: Stack) -> None:
    """A Latvian customer on the Czech demo page: once the bot answers in Latvian, the widget's own labels, title and the
    labels shown earlier are Latvian too; every bubble says its language; the picker names languages as they call themselves."""
    open_demo(page, stack)
    picker = page.get_by_label("Jazyk")
    assert picker.locator("option").all_inner_texts() == ["Čeština", "Polski", "Latviešu", "English"]
    expect(messages(page, "bot").first).to_have_attribute("lang", "cs")  # the greeting, in the page's language
    write(page, "Cik maksā piegāde uz pakomātu?")
    expect(messages(page, "bot").last.locator(".source")).to_be_visible(timeout=20_000)
    expect(page.get_by_label("Uzrakstiet ziņu…")).to_be_visible()
    expect(page.locator(f"{WIDGET} h2")).to_have_text("Domovo – klientu atbalsts")  # the shop's Latvian title (data-title-lv)
    expect(page.get_by_role("dialog", name="Domovo – klientu atbalsts")).to_be_visible()
    expect(page.get_by_role("button", name="Aizvērt tērzēšanu")).to_be_visible()
    expect(page.get_by_label("Valoda")).to_have_value("lv")
    expect(messages(page, "bot").first).to_have_text("AsistentsLabdien! Uzrakstiet, kā varam palīdzēt.")  # shown earlier, relabelled
    expect(messages(page, "customer").last.locator(".who")).to_have_text("Jūs")
    expect(messages(page, "bot").last.locator(".source")).to_contain_text("Avots:")
    bubbles = page.locator(f"{WIDGET} .msg")
    assert bubbles.evaluate_all("nodes => nodes.map(n => n.getAttribute('lang'))") == ["lv", "lv", "lv"]  # greeting, question, answer
    screenshots(page, "widget-latvian-on-a-czech-page")

    page.reload()  # remembered
    expect(page.get_by_label("Uzrakstiet ziņu…")).to_be_visible()
    expect(messages(page, "bot").last.locator(".source")).to_contain_text("Avots:")
    page.get_by_label("Valoda").select_option("en")  # the customer's own choice relabels everything shown too
    expect(messages(page, "customer").last.locator(".who")).to_have_text("You")
    expect(messages(page, "bot").last.locator(".source")).to_contain_text("Source:")
    expect(page.locator(f"{WIDGET} h2")).to_have_text("Domovo – customer care")
    assert messages(page, "customer").last.get_attribute("lang") == "lv"  # what was written stays in its language
