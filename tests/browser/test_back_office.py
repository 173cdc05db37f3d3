"""The back office in Chromium: an editor adds a Polish entry that customers are answered from at once; figures and groups."""
from __future__ import annotations

import re

import httpx
import pytest
import yaml
from playwright.sync_api import Page, expect

from knowledge.editing import FaqEditor
from runner.processes import Stack
from tests.browser.conftest import fill_sign_in, screenshot
from tests.conftest import Person, add_agent
from tests.integration.chat import say, start

pytestmark = pytest.mark.browser

ENGRAVING = {
    "pl": ("Czy możecie wygrawerować dedykację na ekspresie?", ["grawer na ekspresie", "grawerowanie imienia na prezent"],
           "Tak. Grawer dedykacji (do 30 znaków) na ekspresie Aroma Pro kosztuje 49 zł; zamówienie wysyłamy o dwa dni później."),
    "cs": ("Můžete na kávovar vygravírovat věnování?", ["gravírování jména"],
           "Ano. Gravírování věnování (do 30 znaků) na kávovar Aroma Pro stojí 290 Kč; objednávku odešleme o dva dny později."),
    "lv": ("Vai varat uz kafijas automāta iegravēt veltījumu?", ["gravēšana"],
           "Jā. Veltījuma gravēšana (līdz 30 zīmēm) uz Aroma Pro maksā 12 EUR; pasūtījumu nosūtām divas dienas vēlāk."),
    "en": ("Can you engrave a dedication on the coffee machine?", ["engraving a name"],
           "Yes. Engraving a dedication (up to 30 characters) on the Aroma Pro costs 12 EUR; we ship the order two days later."),
}


@pytest.fixture(scope="module")
def editor_person(stack: Stack) -> Person:
    return add_agent(stack.settings, "Edita", "editor")


def sign_in(page: Page, stack: Stack, person: Person) -> None:
    fill_sign_in(page, f"{stack.api_url}/console/office.html", person)
    expect(page.get_by_text(f"{person.name} (editor)")).to_be_visible()


def fill_language(page: Page, lang: str, *, answer: bool = True) -> None:
    question, alternatives, text = ENGRAVING[lang]
    page.locator(f'[name="{lang}.question"]').fill(question)
    page.locator(f'[name="{lang}.alternatives"]').fill("\n".join(alternatives))
    page.locator(f'[name="{lang}.answer"]').fill(text if answer else "")


def test_an_editor_adds_a_polish_entry_and_a_polish_customer_is_answered_from_it_without_a_restart(
        page: Page, stack: Stack, editor_person: Person, client: httpx.Client) -> None:
    sign_in(page, stack, editor_person)
    page.get_by_role("button", name="New entry").click()
    page.get_by_label("Id").fill("engraving")
    page.get_by_label("File").select_option("products.yml")
    for lang in ("pl", "cs", "en"):
        fill_language(page, lang)
    fill_language(page, "lv", answer=False)
    expect(page.locator("#missing")).to_have_text("Still missing: lv")

    page.get_by_role("button", name="Save").click()  # refused: the Latvian answer is empty
    expect(page.locator('.field-error[data-field="lv.answer"]')).to_contain_text("lv")
    products = stack.settings.content_dir / "faq" / "products.yml"
    assert "engraving" not in [e["id"] for e in yaml.safe_load(products.read_text())["entries"]]  # nothing was written
    screenshot(page, "office-refused-edit")

    fill_language(page, "lv")
    page.get_by_role("button", name="Save").click()
    # The save returns once the index is rebuilt with the entry (about 10 s on two busy cores).
    expect(page.locator("#index-status")).to_contain_text("Saved to products.yml", timeout=90_000)
    saved = [e for e in yaml.safe_load(products.read_text())["entries"] if e["id"] == "engraving"]
    assert saved and saved[0]["pl"]["answer"].startswith("Tak. Grawer dedykacji")  # the same plain file git reviews

    page.locator("#preview-question").fill("Zrobicie grawer z imieniem na ekspres do kawy?")
    page.locator("#preview-language").select_option("pl")
    page.get_by_role("button", name="Preview the answer").click()
    expect(page.locator("#preview-hits tbody tr").first).to_contain_text("engraving")
    screenshot(page, "office-saved-entry")

    conversation, headers = start(client, "pl")
    body = say(client, conversation, headers, "Dzień dobry, czy zrobicie grawer z imieniem na ekspresie do kawy?")
    sources = [r["source"]["id"] for r in body["replies"] if r.get("source")]
    offered = [b["title"] for r in body["replies"] for b in r.get("buttons") or []]
    assert sources[:1] == ["engraving"] or offered[:1] == [ENGRAVING["pl"][0]], body


def test_a_second_editor_saving_the_same_entry_is_told_instead_of_overwriting(
        page: Page, stack: Stack, editor_person: Person, client: httpx.Client) -> None:
    sign_in(page, stack, editor_person)
    page.get_by_label("Search entries").fill("delivery-cost")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#entry-list li", has_text="delivery-cost").click()
    expect(page.locator("#entry-title")).to_have_text("Entry delivery-cost")

    # Meanwhile another editor saves the same entry through the api.
    other = client.post("/api/agent/login", json={"email": editor_person.email, "password": editor_person.password}).json()["token"]
    opened = client.get("/api/editor/entries/delivery-cost", headers={"Authorization": f"Bearer {other}"}).json()
    opened["entry"]["en"]["alternatives"].append("shipping price to Riga")
    saved = client.put("/api/editor/entries/delivery-cost", headers={"Authorization": f"Bearer {other}"}, timeout=120,
                       json={"entry": opened["entry"], "version": opened["version"]})
    assert saved.status_code == 200, saved.text

    page.locator('[name="en.alternatives"]').fill("postage please")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#entry-message")).to_contain_text("changed by someone else")
    page.get_by_role("button", name="Load the saved version").click()
    expect(page.locator('[name="en.alternatives"]')).to_have_value(re.compile("shipping price to Riga"))
    assert "postage please" not in (stack.settings.content_dir / "faq" / "delivery.yml").read_text()


def test_analytics_and_unanswered_questions_in_the_page(page: Page, stack: Stack, editor_person: Person, client: httpx.Client) -> None:
    conversation, headers = start(client, "en")
    say(client, conversation, headers, "Who will win the ice hockey world championship?")
    waiting, waiting_headers = start(client, "en")
    say(client, waiting, waiting_headers, "I want to talk to a person, please")  # nobody takes it
    sign_in(page, stack, editor_person)
    page.get_by_role("button", name="Unanswered questions").click()
    group = page.locator("#groups li.group", has_text="ice hockey")
    expect(group).to_be_visible(timeout=60_000)  # the first report after a start embeds the questions (seconds on a busy machine)
    page.get_by_role("button", name="Analytics").click()
    expect(page.locator("#kpis")).to_contain_text("Conversations")
    expect(page.locator("#kpis")).to_contain_text("never taken")  # a median of the taken ones alone hides who gave up
    assert page.locator("#per-day-chart svg rect").count() >= 2
    expect(page.locator("#per-day-chart svg text.axis").first).to_have_text("0")  # the value axis is labelled
    expect(page.locator("#csat-chart svg text.axis")).to_have_text(["0 %", "50 %", "100 %"])
    expect(page.locator("#csat-chart svg")).to_have_attribute("aria-label", re.compile(r"\d{4}-\d\d-\d\d: (CSAT \d+ %|no ratings)"))
    screenshot(page, "office-analytics")
    page.get_by_role("button", name="Unanswered questions").click()
    closest = group.locator(".meta", has_text="closest entries:").inner_text().split(":", 1)[1].split(",")[0].strip()
    group.get_by_role("button", name="Create an entry from these").click()
    expect(page.locator('[name="en.question"]')).to_have_value("Who will win the ice hockey world championship?")
    expect(page.locator("#missing")).to_contain_text("en")  # no answer written yet
    expect(page.locator('#entry-form [name="id"]')).to_have_value(re.compile(r"^who-will-win-the-ice-hockey"))
    files = {entry.id: entry.file for entry in FaqEditor(stack.settings.content_dir).entries()}
    expect(page.locator('#entry-form [name="file"]')).to_have_value(files[closest])  # the closest entry's file, not the first one


def test_searching_the_entries_finds_what_the_bot_would_answer_not_only_the_literal_word(page: Page, stack: Stack, editor_person: Person) -> None:
    """"doprava" (shipping) must also list the pick-up point and late delivery entries, whose texts never say it."""
    sign_in(page, stack, editor_person)
    page.get_by_label("Search entries").fill("doprava")
    page.get_by_role("button", name="Search", exact=True).click()
    items = page.locator("#entry-list li")
    expect(items.first).to_contain_text("delivery-cost")  # the best match first
    for related in ("delivery-pickup-points", "delivery-late"):
        expect(items.filter(has_text=related)).to_have_count(1)
    screenshot(page, "back-office-entry-search")


def test_an_editor_corrects_a_manual_section_in_latvian(page: Page, stack: Stack, editor_person: Person) -> None:
    sign_in(page, stack, editor_person)
    page.get_by_label("Search entries").fill("before-first-use")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#entry-list li", has_text="manual section · aroma-pro/before-first-use").click()
    expect(page.locator("#entry-title")).to_have_text("Manual section aroma-pro/before-first-use")
    expect(page.locator('[name="lv.alternatives"]')).to_be_hidden()  # sections have a title and a text, no phrasings
    expect(page.locator('fieldset[data-lang="lv"] label').first).to_contain_text("Section title")
    text = page.locator('[name="lv.answer"]')
    text.fill(text.input_value() + "\n\nPirms pirmās lietošanas izlasiet arī drošības norādījumus.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#index-status")).to_contain_text("Saved to manuals/aroma-pro", timeout=90_000)
    latvian = (stack.settings.content_dir / "manuals" / "aroma-pro" / "lv.md").read_text(encoding="utf-8")
    assert "izlasiet arī drošības norādījumus." in latvian
    assert latvian.count("\n## ") == (stack.settings.content_dir / "manuals" / "aroma-pro" / "en.md").read_text(encoding="utf-8").count("\n## ")
