"""Another shop's content, served by the same product: a small FAQ with one question and one answer per entry
and no alternative phrasings is answered through the public api in every language, and what it does not cover
is refused (the bars are measured on its content at load, nothing tuned on our demo shop decides)."""
from __future__ import annotations

import time

import httpx
import pytest

from knowledge import load_content
from runner.processes import Stack
from tests.conftest import add_agent
from tests.integration.chat import Console, ask, say, start
from tests.tea_shop import ANSWERED, CONTENT, NOT_COVERED, OTHER_LANGUAGE, TEA_SHOP_NAME, ShopClient

pytestmark = pytest.mark.integration


def _sources(client: httpx.Client, text: str) -> tuple[str, list[dict]]:
    conversation, headers = start(client)
    response = ask(client, conversation, headers, text)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["language"], [reply["source"] for reply in body["replies"] if reply.get("source")]


@pytest.mark.parametrize(("question", "lang", "entry"), ANSWERED)
def test_a_shop_without_alternatives_is_answered_in_every_language(tea_shop: httpx.Client, question: str, lang: str, entry: str) -> None:
    language, sources = _sources(tea_shop, question)
    assert language == lang
    assert [s["id"] for s in sources] == [entry]


@pytest.mark.parametrize(("question", "lang"), [NOT_COVERED[-1], NOT_COVERED[2]])
def test_what_the_shop_does_not_cover_is_not_answered_from_its_faq(tea_shop: httpx.Client, question: str, lang: str) -> None:
    language, sources = _sources(tea_shop, question)
    assert language == lang and sources == []


@pytest.mark.parametrize(("greeting", "expected"), [("Dobrý den", f"obchodu {TEA_SHOP_NAME}"), ("Hello", f"{TEA_SHOP_NAME}'s virtual assistant")])
def test_the_bot_greets_with_the_shops_own_name(tea_shop: httpx.Client, greeting: str, expected: str) -> None:
    conversation, headers = start(tea_shop)
    text = " ".join(reply["text"] for reply in say(tea_shop, conversation, headers, greeting)["replies"])
    assert expected in text and "Domovo" not in text


def test_the_health_check_shows_the_bars_measured_on_this_content(tea_shop: httpx.Client, stack: Stack) -> None:
    ours = tea_shop.get("/api/health").json()
    demo = httpx.get(f"{stack.api_url}/api/health", timeout=30).json()
    assert ours["index"]["entries"] == 7 and demo["index"]["entries"] > 7
    assert ours["index"]["bars"] != demo["index"]["bars"]


NOTE = {"en": "We only have this answer in Czech so far:", "lv": "Šī atbilde mums pagaidām ir tikai čehu valodā:",
        "pl": "Tę odpowiedź mamy na razie tylko po czesku:"}


@pytest.mark.parametrize(("question", "lang", "entry"), OTHER_LANGUAGE)
def test_a_shop_writing_in_czech_only_answers_other_languages_from_its_czech_entries_and_says_so(
        czech_only_shop: ShopClient, question: str, lang: str, entry: str) -> None:
    """Polish and Latvian too, though the shop serves only Czech and English: the bot has texts in them."""
    conversation, headers = start(czech_only_shop)
    body = say(czech_only_shop, conversation, headers, question)
    assert body["language"] == lang
    note, answer = body["replies"][-2:]
    assert note["text"] == NOTE[lang] and note.get("source") is None
    czech = next(e.texts["cs"].answer for e in load_content(CONTENT).entries if e.id == entry)
    assert answer["source"]["id"] == entry and answer["source"]["language"] == "cs" and czech[:40] in answer["text"]


def test_the_shop_tells_the_widget_its_languages_and_refuses_one_it_cannot_answer_in(czech_only_shop: ShopClient) -> None:
    shop = czech_only_shop.get("/api/shop").json()
    assert (shop["name"], shop["languages"], shop["default_language"]) == (TEA_SHOP_NAME, ["cs", "en"], "cs")  # the file's, the environment's
    assert shop["contact"]["phone"] == "+420 601 234 567" and shop["privacy_url"] == "https://listek.example/ochrana-osobnich-udaju"
    refused = czech_only_shop.post("/api/conversations", json={"language": "de"})
    assert refused.status_code == 422 and "'de' is not one this shop answers in" in refused.json()["detail"]
    assert czech_only_shop.post("/api/conversations", json={"language": "pl"}).status_code == 201  # answered, from Czech entries


def test_the_back_office_lists_only_the_served_languages_as_missing(czech_only_shop: ShopClient) -> None:
    editor = add_agent(czech_only_shop.settings, "Eliska", "editor")
    console = Console(czech_only_shop, editor.email, editor.password, online=False)
    try:
        entries = console.get("/api/editor/entries").json()
        assert len(entries) == 7 and all(entry["missing_languages"] == ["en"] for entry in entries), entries
    finally:
        console.close()


def test_renaming_the_shop_is_one_line_the_running_bot_follows_without_a_restart_or_retraining(czech_only_shop: ShopClient) -> None:
    shop_file = czech_only_shop.settings.content_dir / "shop.yml"
    before = shop_file.read_text(encoding="utf-8")
    shop_file.write_text(before.replace(f"name: {TEA_SHOP_NAME}", "name: Čajovna U Zeleného stromu"), encoding="utf-8")
    try:
        deadline = time.monotonic() + 30
        while czech_only_shop.get("/api/shop").json()["name"] != "Čajovna U Zeleného stromu" and time.monotonic() < deadline:
            time.sleep(0.3)
        conversation, headers = start(czech_only_shop)
        text = " ".join(reply["text"] for reply in say(czech_only_shop, conversation, headers, "Dobrý den")["replies"])
        assert "obchodu Čajovna U Zeleného stromu" in text and TEA_SHOP_NAME not in text, text
    finally:
        shop_file.write_text(before, encoding="utf-8")
