"""The languages a shop serves are configuration (SHOPBOT_LANGUAGES, SHOPBOT_DEFAULT_LANGUAGE): the editors' work to do
is counted in them only, a conversation nothing else decides starts in the default one, and content may be written in
a language beyond the bot's four."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from knowledge import ContentError, load_content
from knowledge.language import LanguageGuesser
from knowledge.shop import Shop
from tests.knowledge.test_import import content, run  # noqa: F401 (content: a Czech shop's FAQ, the fixture)


def test_stats_count_missing_translations_only_in_the_languages_the_shop_serves(content: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPBOT_LANGUAGES", '["cs", "en"]')
    code, out, _ = run(capsys, "stats")
    assert code == 0
    assert [line.split(":")[0].strip() for line in out.splitlines()[1:]] == ["cs", "en"]  # no pl or lv work for a cs+en shop
    assert "en: 1 entries" in out and "missing: shipping-cost, phone-orders" in out


def test_the_export_for_translators_holds_the_served_languages_by_default(content: Path, tmp_path: Path,  # noqa: F811
                                                                         capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPBOT_LANGUAGES", '["cs", "en"]')
    exported = tmp_path / "to-translate.csv"
    assert run(capsys, "export", "--out", str(exported))[0] == 0
    with exported.open(encoding="utf-8-sig", newline="") as file:
        assert {row["language"] for row in csv.DictReader(file)} == {"cs", "en"}


def test_a_message_that_shows_no_language_starts_in_the_shops_default_and_a_served_fifth_language_is_told() -> None:
    guesser = LanguageGuesser(Shop(name="Obchod", languages=("cs", "sk")).answerable_languages, default="cs")
    assert guesser.guess("ok") == "cs"  # English before the languages were configuration
    assert guesser.guess("Dobrý deň, koľko stojí doprava na Slovensko?") == "sk"
    assert guesser.guess("Kolik stojí doprava na Slovensko?") == "cs"


def test_content_may_be_written_in_another_language_but_a_misspelt_block_is_an_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "a.yml").write_text("entries:\n  - id: shipping\n    sk:\n      question: Koľko stojí doprava?\n      answer: 2 €.\n"
                                            "  - id: returns\n    cz:\n      question: Vrácení?\n      answer: Do 14 dnů.\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_content(tmp_path)
    assert str(error.value.problems[0]) == f"{tmp_path / 'faq' / 'a.yml'}:7: unknown field `cz` (allowed: id, link, product, tags, and a block per language such as cs or en)"
    (tmp_path / "faq" / "a.yml").write_text("entries:\n  - id: shipping\n    sk:\n      question: Koľko stojí doprava?\n      answer: 2 €.\n", encoding="utf-8")
    assert list(load_content(tmp_path).entries[0].texts) == ["sk"]
